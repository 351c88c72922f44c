"""The site room: the review section Pelican builds from the content model.

The generator (thin: Pelican to model to writers), listings, addresses,
the page writer, and what each build writes: review pages, feeds, forms,
widgets, public data and structured data.
"""
