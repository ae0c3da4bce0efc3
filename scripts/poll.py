#!/usr/bin/env python3
"""The polling loop users of the backend run today, for comparison with taskwatch.

One process per task: ask for the last 100 lines every interval, print the ones past the count
already printed, stop when the task is no longer processing. Prints the bytes received to stderr
at the end.

    python3 scripts/poll.py BASE_URL TASK_ID [INTERVAL_SECONDS]
"""

import sys
import time

import requests


def main() -> None:
    base, task = sys.argv[1], sys.argv[2]
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    url = f"{base}/codvid-ai/ig-tracking/profile_tracking_task_status/{task}"
    printed = 0
    received = 0
    while True:
        r = requests.get(url, params={"logs_count": 100}, timeout=10)
        received += len(r.content)
        data = r.json()["response"]
        if not data["is_processing"]:
            break
        total = data["logs_count"]
        logs = data["logs"]
        first = total - len(logs)
        for i, entry in enumerate(logs):
            if first + i >= printed:
                print(entry["timestamp"], entry["message"], flush=True)
        printed = total
        time.sleep(interval)
    print(f"bytes {received}", file=sys.stderr)


if __name__ == "__main__":
    main()
