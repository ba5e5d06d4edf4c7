"""Write the zoo: each case is NAME.in.(txt|md) (bytes), NAME.expected.txt (the normalized text, UTF-8),
and optionally NAME.sections.txt (section path<TAB>role, one per line). Expected text is written by hand."""
import pathlib

Z = pathlib.Path(__file__).resolve().parent
cases = []
def add(name, src, expected, sections=None, encoding="utf-8", ext="txt"):
    cases.append((name, src, expected, sections, encoding, ext))

P1 = "内分泌治疗是激素受体阳性乳腺癌的主要治疗手段，可以显著延长患者的无进展生存期和总生存期。"
P2 = "然而多数晚期患者最终会出现原发或继发耐药，导致疾病进展，需要及时调整治疗方案。"
P3 = "细胞周期蛋白依赖性激酶抑制剂联合内分泌治疗已经成为一线标准方案之一。"
E1 = "Endocrine therapy is the main treatment of hormone receptor positive breast cancer."
E2 = "Most patients with advanced disease eventually develop resistance to endocrine therapy."
E3 = "CDK4/6 inhibitors combined with endocrine therapy are now a standard first-line option."

# ---------------------------------------------------------------- A. page furniture by behaviour
add("furniture-table-cells-english",
    "Table 2 Oral endocrine agents\nDrug\nDose (mg)\nRoute\nletrozole\n2.5\noral\nanastrozole\n1\noral\nexemestane\n25\noral\ntamoxifen\n20\noral\n",
    "Table 2 Oral endocrine agents\nDrug\nDose (mg)\nRoute\nletrozole\n2.5\noral\nanastrozole\n1\noral\nexemestane\n25\noral\ntamoxifen\n20\noral")
add("furniture-repeated-cells",
    "表3 给药频次\n药物\n频次\n来曲唑\n每日一次\n阿那曲唑\n每日一次\n依西美坦\n每日一次\n他莫昔芬\n每日一次\n",
    "表3 给药频次\n药物\n频次\n来曲唑\n每日一次\n阿那曲唑\n每日一次\n依西美坦\n每日一次\n他莫昔芬\n每日一次")
add("furniture-row-number-column",
    "序号\n药物\n剂量\n1\n来曲唑\n2.5 mg\n2\n阿那曲唑\n1 mg\n3\n依西美坦\n25 mg\n4\n他莫昔芬\n20 mg\n",
    "序号\n药物\n剂量\n1\n来曲唑\n2.5 mg\n2\n阿那曲唑\n1 mg\n3\n依西美坦\n25 mg\n4\n他莫昔芬\n20 mg")
add("furniture-english-running-header-page-number",
    "Endocrine resistance in breast cancer\n"
    "Patients with hormone receptor positive disease are usually treated with an aromatase\n"
    "inhibitor or with tamoxifen, and most of them respond well to the first line of therapy.\n"
    "J Breast Oncol 2021; 39: 101\n"
    "Resistance develops in most patients with metastatic disease, and the second line of\n"
    "treatment is chosen according to the previous therapy and the sites of metastasis.\n"
    "J Breast Oncol 2021; 39: 102\n"
    "Fulvestrant is given at 500 mg on days 1, 15 and 29 and then once a month, and it is\n"
    "often combined with a CDK4/6 inhibitor in patients who have not received one before.\n"
    "J Breast Oncol 2021; 39: 103\n",
    "Endocrine resistance in breast cancer\n"
    "Patients with hormone receptor positive disease are usually treated with an aromatase inhibitor or with tamoxifen, and most of them respond well to the first line of therapy.\n"
    "Resistance develops in most patients with metastatic disease, and the second line of treatment is chosen according to the previous therapy and the sites of metastasis.\n"
    "Fulvestrant is given at 500 mg on days 1, 15 and 29 and then once a month, and it is often combined with a CDK4/6 inhibitor in patients who have not received one before.")
add("furniture-bare-page-numbers",
    f"{P1}\n{P2}\n7\n{P3}\n{P1}\n8\n{P2}\n{P3}\n9\n",
    f"{P1}\n{P2}\n{P3}\n{P1}\n{P2}\n{P3}")
add("furniture-form-feed-headers",
    f"乳腺癌诊疗指南（2024版）\n{P1}\n{P2}\n\f乳腺癌诊疗指南（2024版）\n{P3}\n{P1}\n\f乳腺癌诊疗指南（2024版）\n{P2}\n",
    f"{P1}\n{P2}\n{P3}\n{P1}\n{P2}",
    [("乳腺癌诊疗指南（2024版）", "body")] if False else None)
add("furniture-page-of-markers",
    f"{E1}\n{E2}\nPage 1 of 3\n{E3}\n{E1}\nPage 2 of 3\n{E2}\nPage 3 of 3\n",
    f"{E1}\n{E2}\n{E3}\n{E1}\n{E2}")
add("furniture-dashed-page-numbers",
    f"{P1}\n- 12 -\n{P2}\n- 13 -\n{P3}\n",
    f"{P1}\n{P2}\n{P3}")
add("furniture-chinese-page-markers",
    f"{P1}\n第 3 页 共 10 页\n{P2}\n第 4 页 共 10 页\n",
    f"{P1}\n{P2}")
add("furniture-page-bottom-footnotes",
    "激素受体阳性乳腺癌患者在一线内分泌治疗后常出现疾病进展，二线治疗的选择需要综合考虑既往治疗方案、\n"
    "综 述\n"
    "基金项目：国家自然科学基金（81902345）。\n"
    "作者简介：张三，男，硕士，主治医师。\n"
    "DOI： 10.1234/j.issn.1000-0000.2024.02.03\n"
    "−− 57\n"
    "无病间期以及内脏转移情况，并结合患者意愿进行个体化选择。\n",
    "激素受体阳性乳腺癌患者在一线内分泌治疗后常出现疾病进展，二线治疗的选择需要综合考虑既往治疗方案、无病间期以及内脏转移情况，并结合患者意愿进行个体化选择。")
add("furniture-spaced-short-lines-kept",
    "禁 忌 合 用 药 物\n华 法 林\n地 高 辛\n胺 碘 酮\n服 药 期 间 禁 止 饮 酒 。\n",
    "禁忌合用药物\n华法林\n地高辛\n胺碘酮\n服药期间禁止饮酒。")
add("furniture-follow-up-months-kept",
    "随访时间（月）\n12\n24\n36\n无进展生存率（%）\n78\n61\n49\n",
    "随访时间（月）\n12\n24\n36\n无进展生存率（%）\n78\n61\n49")
add("furniture-refrain-sentence-kept",
    "问：需要空腹服用吗？\n\n答：不需要。\n\n问：可以掰开吗？\n\n答：不需要。\n\n问：需要冷藏吗？\n\n答：不需要。\n",
    "问：需要空腹服用吗？\n答：不需要。\n问：可以掰开吗？\n答：不需要。\n问：需要冷藏吗？\n答：不需要。")

# ---------------------------------------------------------------- B. line endings
LE = ["乳腺癌内分泌治疗", "", "激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治疗是这类患者的", "主要治疗手段。", "", "二、治疗方案", "", "氟维司群联合细胞周期蛋白依赖性激酶抑制剂。"]
LE_EXPECTED = "乳腺癌内分泌治疗\n激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治疗是这类患者的主要治疗手段。\n二、治疗方案\n氟维司群联合细胞周期蛋白依赖性激酶抑制剂。"
for tag, sep in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r"), ("u2028", "\u2028"), ("u2029", "\u2029"), ("nel", "\u0085")]:
    add(f"line-endings-{tag}", sep.join(LE) + sep, LE_EXPECTED)

# ---------------------------------------------------------------- C. structure
B1 = "激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治疗是这类患者的主要治疗手段。"
B2 = "对于一线内分泌治疗失败的患者，可以选择氟维司群联合靶向药物。"
B3 = "口腔炎是依维莫司最常见的不良反应，可以使用含地塞米松的漱口水预防。"
add("structure-yi-er-san",
    f"一、背景\n\n{B1}\n\n二、治疗方案\n\n{B2}\n\n三、不良反应管理\n\n{B3}\n",
    f"一、背景\n{B1}\n二、治疗方案\n{B2}\n三、不良反应管理\n{B3}",
    [("一、背景", "body"), ("二、治疗方案", "body"), ("三、不良反应管理", "body")])
add("structure-paren-chinese-numbers",
    f"一、治疗原则\n（一）早期乳腺癌\n{B1}\n（二）晚期乳腺癌\n{B2}\n二、不良反应\n{B3}\n",
    f"一、治疗原则\n（一）早期乳腺癌\n{B1}\n（二）晚期乳腺癌\n{B2}\n二、不良反应\n{B3}",
    [("一、治疗原则 › （一）早期乳腺癌", "body"), ("一、治疗原则 › （二）晚期乳腺癌", "body"), ("二、不良反应", "body")])
add("structure-fullwidth-dotted",
    f"1．背景\n{B1}\n2．方法\n{B2}\n3．结果\n{B3}\n",
    f"1．背景\n{B1}\n2．方法\n{B2}\n3．结果\n{B3}",
    [("1．背景", "body"), ("2．方法", "body"), ("3．结果", "body")])
add("structure-decimal-three-levels",
    f"肿瘤内分泌治疗进展\n1 前言\n{B1}\n1.1 研究对象\n{B2}\n1.1.1 纳入标准\n{B3}\n2 讨论\n{B1}\n",
    f"肿瘤内分泌治疗进展\n1 前言\n{B1}\n1.1 研究对象\n{B2}\n1.1.1 纳入标准\n{B3}\n2 讨论\n{B1}",
    [("1 前言", "body"), ("1 前言 › 1.1 研究对象", "body"), ("1 前言 › 1.1 研究对象 › 1.1.1 纳入标准", "body"), ("2 讨论", "body")])
add("structure-chapter-section",
    f"第一章 总论\n第一节 定义\n{B1}\n第二节 流行病学\n{B2}\n第二章 治疗\n{B3}\n",
    f"第一章总论\n第一节定义\n{B1}\n第二节流行病学\n{B2}\n第二章治疗\n{B3}",
    [("第一章总论 › 第一节定义", "body"), ("第一章总论 › 第二节流行病学", "body"), ("第二章治疗", "body")])
add("structure-drug-label-brackets",
    "来曲唑片说明书\n【药品名称】来曲唑片\n【适应症】用于绝经后早期乳腺癌患者的辅助治疗。\n【用法用量】口服，每日一次，每次2.5 mg。\n【不良反应】常见潮热、关节痛和疲乏。\n",
    "来曲唑片说明书\n【药品名称】来曲唑片\n【适应症】用于绝经后早期乳腺癌患者的辅助治疗。\n【用法用量】口服，每日一次，每次2.5 mg。\n【不良反应】常见潮热、关节痛和疲乏。",
    [("【药品名称】", "body"), ("【适应症】", "body"), ("【用法用量】", "body"), ("【不良反应】", "body")])
add("structure-markdown-headings",
    f"# 乳腺癌指南\n\n## 内分泌治疗\n\n{B1}\n\n### 耐药\n\n{B2}\n\n## 骨转移\n\n{B3}\n",
    f"# 乳腺癌指南\n## 内分泌治疗\n{B1}\n### 耐药\n{B2}\n## 骨转移\n{B3}",
    [("乳腺癌指南 › 内分泌治疗", "body"), ("乳腺癌指南 › 内分泌治疗 › 耐药", "body"), ("乳腺癌指南 › 骨转移", "body")], ext="md")
add("structure-numbered-english",
    f"Endocrine therapy: a review\n\n1. Introduction\n\n{E1} {E2}\n\n2. Methods\n\n{E3}\n\n3. Results\n\n{E2}\n",
    f"Endocrine therapy: a review\n1. Introduction\n{E1} {E2}\n2. Methods\n{E3}\n3. Results\n{E2}",
    [("1 Introduction", "body"), ("2 Methods", "body"), ("3 Results", "body")])
add("structure-all-caps",
    f"Endocrine therapy\n\nINTRODUCTION\n\n{E1}\n\nPATIENTS AND METHODS\n\n{E2}\n\nRESULTS\n\n{E3}\n",
    f"Endocrine therapy\nINTRODUCTION\n{E1}\nPATIENTS AND METHODS\n{E2}\nRESULTS\n{E3}",
    [("INTRODUCTION", "body"), ("PATIENTS AND METHODS", "body"), ("RESULTS", "body")])
add("structure-imrad-names",
    f"Endocrine therapy\n\nAbstract\n\n{E1}\n\nIntroduction\n\n{E2}\n\nMethods\n\n{E3}\n\nResults\n\n{E1}\n\nDiscussion\n\n{E2}\n",
    f"Endocrine therapy\nAbstract\n{E1}\nIntroduction\n{E2}\nMethods\n{E3}\nResults\n{E1}\nDiscussion\n{E2}",
    [("Abstract", "body"), ("Introduction", "body"), ("Methods", "body"), ("Results", "body"), ("Discussion", "body")])
add("structure-blank-line-paragraphs",
    "背景\n\n激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治疗是这类患者的\n主要治疗手段。\n\n但多数晚期患者最终会出现原发或继发耐药，导致疾病进\n展。\n",
    "背景\n激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治疗是这类患者的主要治疗手段。\n但多数晚期患者最终会出现原发或继发耐药，导致疾病进展。")
DS = ["激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治", "疗是这类患者的主要治疗手段，但多数晚期患者最终", "会出现原发或继发耐药，导致疾病进展，因此探索耐", "药机制并寻找新的治疗靶点具有重要的临床意义。", "对于一线内分泌治疗失败的患者，可以选择氟维司群", "联合细胞周期蛋白依赖性激酶抑制剂，或者依维莫司", "联合依西美坦，具体方案应当结合既往用药情况、患", "者体能状态以及不良反应的耐受情况进行综合判断。"]
add("structure-double-spaced-extraction",
    "\n\n".join(DS) + "\n",
    "激素受体阳性乳腺癌约占全部乳腺癌的七成，内分泌治疗是这类患者的主要治疗手段，但多数晚期患者最终会出现原发或继发耐药，导致疾病进展，因此探索耐药机制并寻找新的治疗靶点具有重要的临床意义。对于一线内分泌治疗失败的患者，可以选择氟维司群联合细胞周期蛋白依赖性激酶抑制剂，或者依维莫司联合依西美坦，具体方案应当结合既往用药情况、患者体能状态以及不良反应的耐受情况进行综合判断。")
add("structure-numbered-list-not-headings",
    f"注意事项\n服药期间请注意：\n1．饭后服用\n2．避免饮酒\n3．定期复查血常规\n{B1}\n",
    f"注意事项\n服药期间请注意：\n1．饭后服用\n2．避免饮酒\n3．定期复查血常规\n{B1}")
add("structure-measure-not-heading",
    f"疗效分析\n1 结果\n{B1}\n24.8 个月后，多数患者出现疾病进展。\n3 个月后复查影像学。\n2 讨论\n{B2}\n",
    f"疗效分析\n1 结果\n{B1}\n24.8 个月后，多数患者出现疾病进展。\n3 个月后复查影像学。\n2 讨论\n{B2}",
    [("1 结果", "body"), ("2 讨论", "body")])

# ---------------------------------------------------------------- D. tables and lists
add("table-markdown",
    "# 药物一览\n\n| 药物 | 剂量 | 途径 |\n| --- | --- | --- |\n| 来曲唑 | 2.5 mg | 口服 |\n| 氟维司群 | 500 mg | 肌内注射 |\n| 拉帕替尼 | 1250 mg | 口服 |\n",
    "# 药物一览\n| 药物 | 剂量 | 途径 |\n| --- | --- | --- |\n| 来曲唑 | 2.5 mg | 口服 |\n| 氟维司群 | 500 mg | 肌内注射 |\n| 拉帕替尼 | 1250 mg | 口服 |", ext="md")
add("table-plain-spaces",
    "Table 1 Doses\nDrug          Dose      Route\nletrozole     2.5 mg    oral\nfulvestrant   500 mg    intramuscular\nlapatinib     1250 mg   oral\n",
    "Table 1 Doses\nDrug Dose Route\nletrozole 2.5 mg oral\nfulvestrant 500 mg intramuscular\nlapatinib 1250 mg oral")
add("table-tab-separated",
    "表2 剂量\n药物\t剂量\t途径\n来曲唑\t2.5 mg\t口服\n氟维司群\t500 mg\t肌内注射\n拉帕替尼\t1250 mg\t口服\n",
    "表2 剂量\n药物剂量途径\n来曲唑 2.5 mg 口服\n氟维司群 500 mg 肌内注射\n拉帕替尼 1250 mg 口服")
add("list-bullets",
    "合用时需要调整剂量的药物：\n- 酮康唑\n- 克拉霉素\n- 利福平\n服药期间避免饮用西柚汁。\n",
    "合用时需要调整剂量的药物：\n- 酮康唑\n- 克拉霉素\n- 利福平\n服药期间避免饮用西柚汁。")
add("list-bullet-symbols",
    "常见不良反应\n• 潮热\n• 关节痛\n• 骨质疏松\n",
    "常见不良反应\n• 潮热\n• 关节痛\n• 骨质疏松")
add("list-parenthesised-numbers",
    "禁忌证：\n（1）对本品过敏者；\n（2）妊娠及哺乳期妇女；\n（3）严重肝功能不全者。\n",
    "禁忌证：\n（1）对本品过敏者；\n（2）妊娠及哺乳期妇女；\n（3）严重肝功能不全者。")
add("list-circled-numbers",
    "用药步骤\n①清洁注射部位\n②注射药物\n③按压止血\n",
    "用药步骤\n①清洁注射部位\n②注射药物\n③按压止血")

# ---------------------------------------------------------------- E. encodings
add("encoding-gbk-short", "癌症疼痛控制\n", "癌症疼痛控制", encoding="gbk")
add("encoding-gb18030-long", (P1 + "\n" + P2 + "\n") * 3, "\n".join([P1, P2] * 3), encoding="gb18030")
add("encoding-big5-short", "骨轉移的處理\n地舒單抗每四週皮下注射一次。\n", "骨轉移的處理\n地舒單抗每四週皮下注射一次。", encoding="big5")
add("encoding-big5-long", "乳腺癌內分泌治療手冊\n氟維司群能與雌激素受體結合並促使其降解。推薦劑量為每次500毫克，臀部肌內注射。\n",
    "乳腺癌內分泌治療手冊\n氟維司群能與雌激素受體結合並促使其降解。推薦劑量為每次500毫克，臀部肌內注射。", encoding="big5")
add("encoding-utf16-bom", "门诊注意事项\n病人应空腹抽血。\n", "门诊注意事项\n病人应空腹抽血。", encoding="utf-16")
add("encoding-utf8-bom", "\ufeff门诊注意事项\n病人应空腹抽血。\n", "门诊注意事项\n病人应空腹抽血。")
add("encoding-shift-jis-control", "乳がんの治療について説明します。\n副作用が出た場合は医師に相談してください。\n",
    "乳がんの治療について説明します。\n副作用が出た場合は医師に相談してください。", encoding="cp932")
add("encoding-euc-kr-control", "약을 복용하기 전에 혈압을 측정하십시오\n", "약을 복용하기 전에 혈압을 측정하십시오", encoding="cp949")
add("encoding-undecidable-skipped", "妊娠", "SKIPPED", encoding="gbk")

# ---------------------------------------------------------------- F. scripts
add("script-traditional-kept",
    "骨轉移的管理\n地舒單抗與唑來膦酸可以降低骨相關事件的風險。使用前應補充鈣和維生素D。\n",
    "骨轉移的管理\n地舒單抗與唑來膦酸可以降低骨相關事件的風險。使用前應補充鈣和維生素D。")

# ---------------------------------------------------------------- G. character repairs
add("chars-fullwidth-halfwidth", "ＨＥＲ２阳性患者使用曲妥珠单抗（trastuzumab），剂量为８ mg/kg。\n",
    "ＨＥＲ２阳性患者使用曲妥珠单抗（trastuzumab），剂量为８ mg/kg。")
add("chars-ligatures", "The combination signiﬁcantly prolonged survival, and the ﬂuctuation of estradiol was small.\n",
    "The combination signiﬁcantly prolonged survival, and the ﬂuctuation of estradiol was small.")
add("chars-soft-hyphen-inside-word", "Neutro\u00adpenia was managed with dose inter\u00adruption.\n",
    "Neutropenia was managed with dose interruption.")
add("chars-soft-hyphen-line-end", f"{E1}\n{E2} Treat\u00ad\nment decisions depend on prior therapy and on the sites of metastatic disease.\n"
    "Bone metastases are treated with denosumab or with zoledronic acid every four weeks.\n"
    "Calcium and vitamin D supplements are given to every patient during the treatment.\n"
    "Oral health is checked before the first dose to lower the risk of osteonecrosis.\n"
    "Patients are followed every three months during the first two years of therapy.\n"
    "Laboratory tests include a full blood count and liver function every month now.\n",
    f"{E1} {E2} Treatment decisions depend on prior therapy and on the sites of metastatic disease. "
    "Bone metastases are treated with denosumab or with zoledronic acid every four weeks. "
    "Calcium and vitamin D supplements are given to every patient during the treatment. "
    "Oral health is checked before the first dose to lower the risk of osteonecrosis. "
    "Patients are followed every three months during the first two years of therapy. "
    "Laboratory tests include a full blood count and liver function every month now.")
add("chars-zero-width", "氟维\u200b司群\u200c的推荐\u200d剂量\ufeff为500 mg。\u2060\n", "氟维司群的推荐剂量为500 mg。")
add("chars-nbsp", "氟维司群\u00a0每月\u00a0注射一次，dose\u00a0500\u00a0mg。\n", "氟维司群每月注射一次，dose 500 mg。")
add("chars-citation-marks-fullwidth", "内分泌耐药是临床面临的主要问题［12］，其机制包括ESR1突变［13-15］。\n",
    "内分泌耐药是临床面临的主要问题［12］，其机制包括ESR1突变［13-15］。")
add("chars-citation-marks-caret", "Resistance is common^12^ and ESR1 mutations explain part of it^13-15^.\n",
    "Resistance is common^12^ and ESR1 mutations explain part of it^13-15^.")
add("chars-mixed-chinese-english", "CDK4/6抑制剂（如palbociclib）联合AI是HR+/HER2- MBC的一线标准治疗。\n",
    "CDK4/6抑制剂（如palbociclib）联合AI是HR+/HER2- MBC的一线标准治疗。")
EN = ["Patients with hormone receptor positive disease eventually develop resis-",
      "tance to endocrine therapy. The combination of a CDK4/6 inhibitor with an",
      "aromatase inhibitor prolonged progression-free survival, and the non-",
      "small cell lung cancer cohort was analysed separately from the breast one.",
      "Neutropenia was the most frequent adverse event and was man-",
      "aged with dose interruption or reduction rather than with growth factors.",
      "Bone metastases were treated with denosumab or zoledronic acid, and calcium",
      "and vitamin D supplements were given to every patient during the treatment."]
add("chars-ascii-hyphenation",
    "\n".join(EN) + "\n",
    "Patients with hormone receptor positive disease eventually develop resistance to endocrine therapy. The combination of a CDK4/6 inhibitor with an aromatase inhibitor prolonged progression-free survival, and the non-small cell lung cancer cohort was analysed separately from the breast one. Neutropenia was the most frequent adverse event and was managed with dose interruption or reduction rather than with growth factors. Bone metastases were treated with denosumab or zoledronic acid, and calcium and vitamin D supplements were given to every patient during the treatment.")
add("chars-compound-hyphen-at-line-end",
    "The primary end point was progression-\nfree survival in the intention-to-treat population.\n",
    "The primary end point was progression-free survival in the intention-to-treat population.")
add("chars-escape-sequences", f"\x1b[1m乳腺癌内分泌治疗\x1b[0m\n{P1}\x07\n{P2}\n", f"乳腺癌内分泌治疗\n{P1}\n{P2}")
add("chars-tabs-and-spaces", "Fulvestrant\t is given   at 500 mg.\n", "Fulvestrant is given at 500 mg.")
add("chars-ideographic-indent-paragraphs",
    "　　激素受体阳性乳腺癌约占全部乳腺癌的七成。\n　　内分泌治疗是这类患者的主要治疗手段。\n",
    "激素受体阳性乳腺癌约占全部乳腺癌的七成。\n内分泌治疗是这类患者的主要治疗手段。")
add("chars-spaced-cjk-with-latin", "主 要 代 表 药 物 是 他 莫 昔 芬 （ tamoxifen ， TAM ） 。\n",
    "主要代表药物是他莫昔芬（ tamoxifen ， TAM ）。")

# ---------------------------------------------------------------- H. back matter
add("backmatter-chinese-paper",
    "晚期乳腺癌内分泌治疗进展\n\n1 前言\n\n" + B1 + "\n\n2 结论\n\n" + B2 + "\n\n致谢\n\n感谢各位患者参与本研究。\n\n参考文献\n\n"
    "[1] Smith J, Brown K. Fulvestrant in advanced breast cancer. N Engl J Med, 2019, 380(2): 101-110.\n"
    "[2] 王伟, 李娜. 乳腺癌内分泌耐药机制研究进展[J]. 中华肿瘤杂志, 2020, 42(3): 201-206.\n",
    "晚期乳腺癌内分泌治疗进展\n1 前言\n" + B1 + "\n2 结论\n" + B2 + "\n致谢\n感谢各位患者参与本研究。\n参考文献\n"
    "[1] Smith J, Brown K. Fulvestrant in advanced breast cancer. N Engl J Med, 2019, 380(2): 101-110.\n"
    "[2] 王伟, 李娜. 乳腺癌内分泌耐药机制研究进展[J]. 中华肿瘤杂志, 2020, 42(3): 201-206.",
    [("1 前言", "body"), ("2 结论", "body"), ("致谢", "acknowledgements"), ("参考文献", "references")])
add("backmatter-english-paper",
    f"Endocrine therapy\n\nIntroduction\n\n{E1}\n\nConclusions\n\n{E3}\n\nAcknowledgements\n\nWe thank the patients and their families.\n\n"
    "Funding\n\nThis study was funded by the National Natural Science Foundation of China (81902345).\n\n"
    "Conflict of interest\n\nThe authors declare no competing interests.\n\nReferences\n\n"
    "1. Smith J, Brown K. Fulvestrant in advanced breast cancer. N Engl J Med. 2019;380:101-110.\n"
    "2. Lee H, et al. CDK4/6 inhibitors after progression. Lancet Oncol. 2021;22:55-64.\n",
    f"Endocrine therapy\nIntroduction\n{E1}\nConclusions\n{E3}\nAcknowledgements\nWe thank the patients and their families.\n"
    "Funding\nThis study was funded by the National Natural Science Foundation of China (81902345).\n"
    "Conflict of interest\nThe authors declare no competing interests.\nReferences\n"
    "1. Smith J, Brown K. Fulvestrant in advanced breast cancer. N Engl J Med. 2019;380:101-110.\n"
    "2. Lee H, et al. CDK4/6 inhibitors after progression. Lancet Oncol. 2021;22:55-64.",
    [("Introduction", "body"), ("Conclusions", "body"), ("Acknowledgements", "acknowledgements"), ("Funding", "funding"),
     ("Conflict of interest", "author-notes"), ("References", "references")])
add("backmatter-inline-labels",
    f"乳腺癌骨转移的管理\n\n{B3}\n\n基金项目：国家自然科学基金（81902345）；湖南省科技创新计划（2021SK50906）。\n\n"
    "作者简介：张三，男，硕士，主治医师，研究方向：乳腺肿瘤。\n\n通信作者：李四，女，教授，主任医师。\n",
    f"乳腺癌骨转移的管理\n{B3}\n基金项目：国家自然科学基金（81902345）；湖南省科技创新计划（2021SK50906）。\n"
    "作者简介：张三，男，硕士，主治医师，研究方向：乳腺肿瘤。\n通信作者：李四，女，教授，主任医师。",
    [("Lead", "body"), ("基金项目", "funding"), ("作者简介", "author-notes"), ("通信作者", "author-notes")])
add("backmatter-references-without-heading",
    f"骨转移管理要点\n{B3}\n"
    "1. Nie H, et al. Occurrence and distribution of bone metastases in 984 breast cancer patients. Transl Breast Cancer Res. 2021.\n"
    "2. Body JJ, et al. Systematic review on bone metastases. Crit Rev Oncol Hematol. 2017.\n",
    f"骨转移管理要点\n{B3}\n"
    "1. Nie H, et al. Occurrence and distribution of bone metastases in 984 breast cancer patients. Transl Breast Cancer Res. 2021.\n"
    "2. Body JJ, et al. Systematic review on bone metastases. Crit Rev Oncol Hematol. 2017.",
    [("Lead", "body"), ("References", "references")])

Z.mkdir(parents=True, exist_ok=True)
for old in Z.glob("*"):
    if old.name != "README.md":
        old.unlink()
for name, src, expected, secs, enc, ext in cases:
    (Z / f"{name}.in.{ext}").write_bytes(src.encode(enc))
    (Z / f"{name}.expected.txt").write_text(expected, encoding="utf-8")
    if secs:
        (Z / f"{name}.sections.txt").write_text("".join(f"{p}\t{r}\n" for p, r in secs), encoding="utf-8")
print(len(cases))
