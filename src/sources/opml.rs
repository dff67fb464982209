//! OPML import and export of blog feeds.
