"""Build the article database: `python build_db.py SOURCE... [--db news.db] [--workers N] [--full]`."""

from zhnews.build.cli import main

if __name__ == "__main__":  # guarded: parallel workers may import this file as their main module
    main()
