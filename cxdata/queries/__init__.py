"""Query functions, one module per page: each reads the sql/ views with bound filters and returns DataFrames."""
