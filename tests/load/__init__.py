"""The load test (`python -m tests.load`) and the real gunicorn server that it and the crash tests drive."""
