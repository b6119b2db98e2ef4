#!/usr/bin/python3
"""The shipped monitoring files, checked by Prometheus's own promtool:
  - etc/prometheus/xlatd-alerts.yml: `promtool check rules`, and its unit tests
    (xlatd-alerts.test.yml: each alert fires on the series it is for, none on a healthy
    translator) with `promtool test rules`;
  - etc/grafana/xlatd-dashboard.json: valid JSON, every panel with a Prometheus target,
    every query valid PromQL (Grafana's $__rate_interval and $instance given values,
    each query checked by promtool as a recording rule).
That the metric names they use are the ones xlatd exports is checked against a running
daemon's /metrics in the PLAT e2e suite (check_stats).

Usage: test_monitoring.py ETC_DIR   (77 without promtool, unless CI=true)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    etc = os.path.abspath(sys.argv[1])
    promtool = shutil.which("promtool")
    if promtool is None:
        print("no promtool (scripts/install-deps.sh installs it)")
        return 1 if os.environ.get("CI") == "true" else 77
    rules = os.path.join(etc, "prometheus")
    failed = []

    def run(*args, cwd=None):
        r = subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True)
        print(f"promtool {' '.join(args)}: {'ok' if r.returncode == 0 else 'FAILED'}")
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            failed.append(args)

    run("check", "rules", "xlatd-alerts.yml", cwd=rules)
    run("test", "rules", "xlatd-alerts.test.yml", cwd=rules)

    dash = json.load(open(os.path.join(etc, "grafana", "xlatd-dashboard.json")))
    exprs = []
    for p in dash["panels"]:
        targets = p.get("targets") or []
        if not targets or p.get("datasource", {}).get("type") != "prometheus":
            failed.append(f"panel {p.get('title')}: no Prometheus target")
        exprs += [(p["title"], t["expr"]) for t in targets]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "dashboard-queries.yml")
        with open(path, "w") as f:
            f.write("groups:\n  - name: dashboard\n    rules:\n")
            for i, (_, e) in enumerate(exprs):
                e = e.replace("$__rate_interval", "5m").replace("$instance", ".*")
                f.write(f"      - record: dashboard:query{i}\n        expr: {json.dumps(e)}\n")
        run("check", "rules", path)
    print(f"dashboard: {len(dash['panels'])} panels, {len(exprs)} queries")
    if failed:
        print("FAILED:", failed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
