"""The shop's desk: check every answer before the world reads it.

Private tools for the shop owner, never part of the published site:
``redress check`` (:mod:`.check`, with the rules in :mod:`.rules` and the
words per language in :mod:`.phrases`), ``redress respond`` (a response
started from a template, :mod:`.respond`) and ``redress report`` (the
owner's page of open cases, :mod:`.report`). A build says in one line how
many answers need a look (:mod:`.build_line`).
"""
