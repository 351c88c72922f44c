"""The content room: the shop's files read into one model.

Settings and their defaults, the model and its validation, the one reader
of review, response and product files, the shop they make, the numbers
(stats), Markdown to safe HTML (render), what stays private (privacy), the
rules every room shares (rules) and how files are written back (files).
Nothing here imports the site, the invitations or the inbox.
"""
