/*
 * reason.c - the readable reason of an assessment, in Vietnamese or English.
 *
 * The reason restates the rule that decided the class with the household's
 * own figures, so that an officer can check it against the decree without
 * the software: "Thu nhập 1.200.000 đ/người/tháng ≤ 1.500.000 đ (nông thôn)
 * và thiếu hụt 4 chỉ số (≥ 3): hộ nghèo", then the deficient indicators and
 * the legal basis of the standard (Decree 07/2021/NĐ-CP, Art. 3 for
 * 2022-2026).
 */
#include "gnbv/assess.h"

#include "../util/numfmt.h"

typedef struct words {
	const char *income, *per_month, *score, *area[2], *and_, *deficits_n, *need;
	const char *cls[GNBV_CLASS_COUNT];
	const char *band, *no_income, *no_score_line, *deficient_in, *none, *recorded,
		*unknown_in, *basis;
	const gnbv_numstyle *num;
} words;

static const words VI = {
	.income = "Thu nhập ",
	.per_month = " đ/người/tháng",
	.score = "Điểm thu nhập (điểm A) ",
	.area = {"nông thôn", "thành thị"},
	.and_ = " và thiếu hụt ",
	.deficits_n = " chỉ số",
	.need = "cần ≥ ",
	.cls = {"hộ nghèo", "hộ cận nghèo", "hộ có mức sống trung bình",
		"không thuộc hộ nghèo, cận nghèo", "chưa đủ thông tin để phân loại"},
	.band = "trong khoảng mức sống trung bình",
	.no_income = "Chưa có thu nhập hoặc điểm thu nhập",
	.no_score_line = "chuẩn này chưa có ngưỡng điểm thu nhập",
	.deficient_in = "Thiếu hụt: ",
	.none = "Không thiếu hụt chỉ số nào",
	.recorded = " (theo đánh dấu của cán bộ rà soát)",
	.unknown_in = "Chưa xác định: ",
	.basis = "Căn cứ: ",
	.num = &GNBV_NUM_VI,
};

static const words EN = {
	.income = "Income ",
	.per_month = " VND/person/month",
	.score = "Income score (score A) ",
	.area = {"rural", "urban"},
	.and_ = " and deficient in ",
	.deficits_n = " indicators",
	.need = "needs ≥ ",
	.cls = {"poor household", "near-poor household", "average living standard household",
		"neither poor nor near-poor", "not enough information to classify"},
	.band = "within the average-living band",
	.no_income = "No income amount or income score",
	.no_score_line = "this standard has no income-score line yet",
	.deficient_in = "Deficient in: ",
	.none = "No deficient indicator",
	.recorded = " (as ticked by the reviewer)",
	.unknown_in = "Unknown: ",
	.basis = "Basis: ",
	.num = &GNBV_NUM_EN,
};

static void list_indicators(gnbv_sb *sb, const gnbv_standard *s, const gnbv_assessment *a,
			    gnbv_tri which, const words *w, bool english)
{
	int k = 0;
	for (int i = 0; i < s->n_indicators; i++) {
		if (a->ind[i] != which) continue;
		if (k++) gnbv_sb_put(sb, "; ");
		gnbv_sb_put(sb, english ? s->indicators[i].name_en : s->indicators[i].name_vi);
		if (a->ind_recorded[i]) gnbv_sb_put(sb, w->recorded);
	}
}

size_t gnbv_assess_reason(const gnbv_standard *s, const gnbv_household *h,
			  const gnbv_assessment *a, bool english, char *buf, size_t cap)
{
	const words *w = english ? &EN : &VI;
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, cap);
	int urban = a->area == GNBV_AREA_URBAN;
	const char *area = w->area[urban];

	if (a->basis == GNBV_BASIS_NONE) {
		gnbv_sb_put(&sb, w->no_income);
		if (h->has_score && !s->has_score_line) {
			gnbv_sb_put(&sb, " (");
			gnbv_sb_put(&sb, w->no_score_line);
			gnbv_sb_put(&sb, ")");
		}
	} else {
		if (a->basis == GNBV_BASIS_SCORE) {
			gnbv_sb_put(&sb, w->score);
			gnbv_sb_dec(&sb, h->income_score, 2, w->num);
			gnbv_sb_put(&sb, a->below_line == GNBV_YES ? " ≤ " : " > ");
			gnbv_sb_dec(&sb, urban ? s->score_line_urban : s->score_line_rural, 2, w->num);
		} else {
			gnbv_sb_put(&sb, w->income);
			gnbv_sb_int(&sb, h->income_month, w->num);
			gnbv_sb_put(&sb, w->per_month);
			gnbv_sb_put(&sb, a->below_line == GNBV_YES ? " ≤ " : " > ");
			gnbv_sb_int(&sb, urban ? s->income_line_urban : s->income_line_rural, w->num);
			gnbv_sb_put(&sb, english ? " VND" : " đ");
		}
		gnbv_sb_put(&sb, " (");
		gnbv_sb_put(&sb, area);
		gnbv_sb_put(&sb, ")");
		if (a->below_line == GNBV_YES) {
			gnbv_sb_put(&sb, w->and_);
			gnbv_sb_int(&sb, a->deficits, w->num);
			gnbv_sb_put(&sb, w->deficits_n);
			if (a->unknowns && a->klass == GNBV_CLASS_INCOMPLETE) {
				gnbv_sb_put(&sb, ", ");
				gnbv_sb_int(&sb, a->unknowns, w->num);
				gnbv_sb_put(&sb, english ? " unknown" : " chưa xác định");
			}
			gnbv_sb_put(&sb, " (");
			if (a->klass == GNBV_CLASS_POOR) gnbv_sb_put(&sb, "≥ ");
			else if (a->klass == GNBV_CLASS_NEAR_POOR) gnbv_sb_put(&sb, "< ");
			else gnbv_sb_put(&sb, w->need);
			gnbv_sb_int(&sb, s->poor_min_deficits, w->num);
			gnbv_sb_put(&sb, ")");
		} else if (a->klass == GNBV_CLASS_AVERAGE) {
			gnbv_sb_put(&sb, ", ");
			gnbv_sb_put(&sb, w->band);
			gnbv_sb_put(&sb, " (≤ ");
			gnbv_sb_int(&sb, urban ? s->band_max_urban : s->band_max_rural, w->num);
			gnbv_sb_put(&sb, english ? " VND)" : " đ)");
		}
	}
	gnbv_sb_put(&sb, ": ");
	gnbv_sb_put(&sb, w->cls[a->klass]);
	gnbv_sb_put(&sb, ". ");
	if (a->deficits) {
		gnbv_sb_put(&sb, w->deficient_in);
		list_indicators(&sb, s, a, GNBV_YES, w, english);
	} else {
		gnbv_sb_put(&sb, w->none);
	}
	gnbv_sb_put(&sb, ".");
	if (a->unknowns) {
		gnbv_sb_put(&sb, " ");
		gnbv_sb_put(&sb, w->unknown_in);
		list_indicators(&sb, s, a, GNBV_UNKNOWN, w, english);
		gnbv_sb_put(&sb, ".");
	}
	gnbv_sb_put(&sb, " ");
	gnbv_sb_put(&sb, w->basis);
	gnbv_sb_put(&sb, english ? s->basis_en : s->basis_vi);
	gnbv_sb_put(&sb, ".");
	return sb.len;
}
