"""The command-line face: ``assistant ask`` and ``assistant index`` (arguments in :mod:`.parser`, the
commands in :mod:`.commands`, terminal rendering in :mod:`.render`, JSON in :mod:`.output`)."""
