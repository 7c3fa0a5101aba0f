"""zhnews: parse an archive of Chinese-language news into SQLite with Chinese full-text search."""

from zhnews.article import Article, Image, ParseError

__all__ = ["Article", "Image", "ParseError"]
