"""`redress import`: bring the reviews and replies a shop already has on other platforms.

Each platform has one module here that turns an export into
:class:`~.records.ImportedReview` records and nothing else; the command
(:mod:`.command`) writes them as review, response and product files through
:mod:`..content.files`, the one writer of the file format.
"""
