"""What the benchmarks need besides their scripts: the page benchmark's server
settings and URLs (with the no-database baseline view, routed only here), and
the data generator. Nothing here is imported by the site."""
