"""cxdata: the CX store, its metrics, imports and charts."""
