"""Builders of real-shaped platform exports for the importer tests.

Each module writes one platform's files into a temporary folder the way the
platform writes them (encoding, BOM, line ends, quoting, Excel dates,
nesting), so a parser is tested against the bytes a shop owner downloads.
"""
