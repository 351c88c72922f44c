"""The invite room: asking every customer for a review.

Order exports in, and out: signed links, e-mail texts, QR codes and printed
inserts (`redress invite`), and the follow-up link for one reviewer.
"""
