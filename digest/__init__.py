"""digest: a static site generator for news digests.

It reads a folder of articles from many outlets, folds the copies of one story together,
summarizes each story with its lead sentences, and writes a website plus RSS, Atom and
JSON feeds.
"""

__version__ = "0.1.0"
