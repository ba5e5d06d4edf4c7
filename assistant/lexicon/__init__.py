"""Lexicon: the terms of the sparse index and the bilingual vocabulary that bridges the two languages.

``analyze`` turns text into index terms (jieba for Chinese, Snowball stems for English), ``glossary``
mines and reads bilingual term pairs and CC-CEDICT senses, and ``dictcache`` keeps jieba's dictionary
and CC-CEDICT as tables that open in milliseconds.
"""
