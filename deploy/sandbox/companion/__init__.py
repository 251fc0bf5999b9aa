"""xprobe sandbox rules companion: fills ministack's IoT rules-engine gaps (see ../README.md).

templates.py, policy.py: standard library only (render_key.py uses templates.py with a plain python3).
engine.py: the companion's actions over the sandbox API (boto3). hook.py: the glue into ministack.
"""
