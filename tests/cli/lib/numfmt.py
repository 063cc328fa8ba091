"""Shared by the CLI tests (not a test itself: no main): the numbers and the
classes part of the summary lines as a reader expects them, written here
independently of src/util/numfmt.c and src/cli/commands.c so that a test
comparing the two can fail.

Vietnamese writes 2.591 and 39,59%; English 2,591 and 39.59%. A share is
part / whole in per cent with two decimals, rounded half up (0 of 0 is 0,00%).
"""

CLASSES = ("poor", "near_poor", "average", "not_poor", "incomplete")  # assessments.csv
CLASS_VI = {"poor": "nghèo", "near_poor": "cận nghèo", "average": "mức sống trung bình",
            "not_poor": "không nghèo", "incomplete": "chưa đủ thông tin"}
CLASS_EN = {"poor": "poor", "near_poor": "near-poor", "average": "average", "not_poor": "not poor",
            "incomplete": "incomplete"}


def num(n, en=False):
    """A whole number with its thousands grouped: 2.591 / 2,591."""
    s = f"{n:,}"
    return s if en else s.replace(",", ".")


def pct(part, whole, en=False):
    """39,59% / 39.59%."""
    hundredths = (part * 20000 + whole) // (2 * whole) if whole else 0
    return f"{num(hundredths // 100, en)}{'.' if en else ','}{hundredths % 100:02d}%"


def classes(counts, whole, en=False):
    """The classes part of classify's and import's summary: "nghèo 230 (38,33%), cận nghèo ..."
    for counts {class: n} (assessments.csv's class names)."""
    names = CLASS_EN if en else CLASS_VI
    return ", ".join(f"{names[k]} {num(counts.get(k, 0), en)} ({pct(counts.get(k, 0), whole, en)})"
                     for k in CLASSES)
