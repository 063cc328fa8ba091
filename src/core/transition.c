/*
 * transition.c - the pure rules of the review: what happened to a household
 * between two recognised rounds, the village meeting's 50% rule, and the
 * date arithmetic of the ad-hoc deadline. No I/O: the store feeds these
 * from one set-wise query (src/store/transition.c).
 *
 * The kinds follow the result summary forms (domain.md §2, [S]): a
 * household escapes poverty when poor in t-1 and not poor in t (to the
 * near-poor list or out of both); it is newly poor when poor in t, not
 * poor in t-1 and never poor in an earlier recognised round, and re-poor
 * when it was; the same for the near-poor list. A household keeps its code
 * across rounds, so one present in only one of the two rounds moved in or
 * out, or was split off or merged into another (household_origin).
 */
#include "gnbv/date.h"
#include "gnbv/review.h"

static const char *const KIND[GNBV_TR_KIND_COUNT] = {
    "none", "escaped_to_near_poor", "escaped_out", "newly_poor", "re_poor", "stayed_poor"};
static const char *const NEAR[GNBV_TRN_KIND_COUNT] = {"none",         "escaped_near_poor",
                                                      "near_to_poor", "newly_near_poor",
                                                      "re_near_poor", "stayed_near_poor"};
static const char *const MOVE[GNBV_MV_COUNT] = {"stayed",    "moved_in",   "moved_out",
                                                "split_new", "merged_new", "merged_away"};

const char *gnbv_transition_kind_name(int k)
{
	return k >= 0 && k < GNBV_TR_KIND_COUNT ? KIND[k] : "?";
}

const char *gnbv_transition_near_name(int k)
{
	return k >= 0 && k < GNBV_TRN_KIND_COUNT ? NEAR[k] : "?";
}

const char *gnbv_transition_move_name(int k)
{
	return k >= 0 && k < GNBV_MV_COUNT ? MOVE[k] : "?";
}

void gnbv_transition_decide(int prev, int cur, int was_poor, int was_near, int origin,
                            int merged_away, int *kind, int *near, int *move)
{
	*kind = GNBV_TR_NONE;
	*near = GNBV_TRN_NONE;
	if (prev < 0 && cur < 0) {
		*move = GNBV_MV_STAYED;
		return;
	}
	if (prev < 0) {
		/* Only in t: arrived. Its class counts among the arrivals of the
		 * form, not as newly poor (it was on another commune's list, or
		 * none we know of). */
		*move = origin == 1   ? GNBV_MV_SPLIT_NEW
		        : origin == 2 ? GNBV_MV_MERGED_NEW
		                      : GNBV_MV_MOVED_IN;
		return;
	}
	if (cur < 0) {
		*move = merged_away ? GNBV_MV_MERGED_GONE : GNBV_MV_MOVED_OUT;
		return;
	}
	*move = GNBV_MV_STAYED;
	int pp = prev == GNBV_CLASS_POOR, cp = cur == GNBV_CLASS_POOR;
	int pn = prev == GNBV_CLASS_NEAR_POOR, cn = cur == GNBV_CLASS_NEAR_POOR;
	if (pp && cp)
		*kind = GNBV_TR_STAYED_POOR;
	else if (pp)
		*kind = cn ? GNBV_TR_ESCAPED_TO_NEAR : GNBV_TR_ESCAPED_OUT;
	else if (cp)
		*kind = was_poor ? GNBV_TR_RE_POOR : GNBV_TR_NEWLY_POOR;
	if (pn && cn)
		*near = GNBV_TRN_STAYED;
	else if (pn)
		*near = cp ? GNBV_TRN_TO_POOR : GNBV_TRN_ESCAPED;
	else if (cn)
		*near = was_near ? GNBV_TRN_RE_NEAR : GNBV_TRN_NEWLY_NEAR;
}

int gnbv_review_vote_stands(int64_t in_favour, int64_t participants, int pct)
{
	if (participants <= 0 || in_favour < 0 || in_favour > participants) return 0;
	/* Decision 24/2021/QĐ-TTg, village meeting: "at least" the share. */
	return in_favour * 100 >= (int64_t)pct * participants;
}

/* Days from 0000-03-01 (a proleptic Gregorian day number), for adding and
 * subtracting dates without a calendar library. */
static int64_t day_number(int32_t d)
{
	if (!gnbv_date_valid(d)) return -1;
	int64_t y = d / 10000, m = d / 100 % 100, dd = d % 100;
	if (m <= 2) {
		y--;
		m += 12;
	}
	return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + dd - 1;
}

static int32_t from_day_number(int64_t g)
{
	int64_t y = (10000 * g + 14780) / 3652425;
	int64_t ddd = g - (365 * y + y / 4 - y / 100 + y / 400);
	if (ddd < 0) {
		y--;
		ddd = g - (365 * y + y / 4 - y / 100 + y / 400);
	}
	int64_t mi = (100 * ddd + 52) / 3060;
	int64_t mm = (mi + 2) % 12 + 1;
	y = y + (mi + 2) / 12;
	int64_t dd = ddd - (mi * 306 + 5) / 10 + 1;
	return (int32_t)(y * 10000 + mm * 100 + dd);
}

int32_t gnbv_review_add_days(int32_t from, int days, int working)
{
	int64_t g = day_number(from);
	if (g < 0 || days < 0) return 0;
	if (!working) return from_day_number(g + days);
	/* Working days: Monday to Friday. Day number 0 (0000-03-01) was a
	 * Wednesday, so (g + 2) % 7 is 0 on Monday. Public holidays are not
	 * known to gnbv (data/review/review-params.json). */
	while (days > 0) {
		g++;
		if ((g + 2) % 7 < 5) days--;
	}
	return from_day_number(g);
}

int64_t gnbv_review_days_between(int32_t a, int32_t b)
{
	int64_t x = day_number(a), y = day_number(b);
	if (x < 0 || y < 0) return 0;
	return y - x;
}
