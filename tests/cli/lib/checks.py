"""The check of every test script in tests/cli: each check is recorded and
printed as "ok" or "FAIL" with its detail (capped: a failed page can be
long), and the script's exit code comes from `results`.

    from checks import check, results
    check("the page answers 200", status == 200, status)
    ...
    sys.exit(0 if all(results) else 1)

Set `checks.quiet = True` to print only the failures (a script of
thousands of checks)."""

results = []
quiet = False
DETAIL_MAX = 2000


def check(name, cond, detail=""):
    """Records bool(cond), prints the line, and returns cond."""
    results.append(bool(cond))
    if not cond:
        print("FAIL " + name + (": " + str(detail)[:DETAIL_MAX] if str(detail) else ""))
    elif not quiet:
        print("ok   " + name)
    return cond
