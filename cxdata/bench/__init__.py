"""The benchmark harness behind `python -m cxdata bench`.

Three ways of answering each page's questions are timed side by side, interleaved so
that the machine's drift hits all of them alike:

- ours: the cxdata query functions each page calls (pages.py lists them);
- the peer: the pandas way most Streamlit dashboards take, tables loaded into DataFrames
  and filtered/grouped there (peer.py), its answers checked equal to ours;
- the floor: the cheapest DuckDB query touching the same columns and rows (floor.py), in
  two kinds: counts (what the targets are judged against) and every value read.

Plus whole page scripts and cache hits through AppTest (script.py), a 1-million-row CSV
import three ways (importing.py) and peak memory (memory.py). runner.py ties it together.
"""
