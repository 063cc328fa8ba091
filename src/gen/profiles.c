/*
 * profiles.c - what `gnbv gen` reproduces, and the knobs that make it so.
 *
 * A profile names its targets (poor and near-poor shares of households,
 * mean household size) with their sources, and the parameters of the
 * household model in household.c. The targets are facts (tagged as in
 * domain.md: V official text, S secondary source, H our assumption); the
 * parameters are not: `mu` and `dshift` of each region row were fitted so
 * that the engine, classifying the generated households under vn-2022-2026
 * as of the profile's reference date, gives the targets (docs/gen.md says
 * how to refit them after a change to the model or the standard). The
 * remaining parameters shape realism (incomes, schooling, devices) and are
 * illustrative [H].
 */
#include "gen_internal.h"

#include <string.h>

/* The seed's district: Hà Quảng, Cao Bằng (code 045), the 2021 review
 * under the 2022-2025 standard. One calibration row: the communes differ
 * through their unit effects and ethnic mixes. */
static const gen_region POOR_DISTRICT_REGIONS[] = {
	{"045", "Huyện Hà Quảng", 39.59, 8.0,
	 "poor: 5,546 households = 39.59% at the start of 2022 (the 2021 review under the "
	 "2022-2025 standard, QĐ 4310/QĐ-UBND), seed section A, product.md [V]; near-poor: "
	 "not given by the seed, 8% assumed [H]",
	 100.0, 0.0,
	 /* Kinh Tày Nùng H'Mông Dao [H: Nùng, H'Mông and Tày predominate in Hà Quảng] */
	 {3, 18, 50, 23, 6, 0, 0, 0, 0, 0, 0},
	 -0.5562, 0.6167},
};

/* The nation in 2022: six economic regions (GSO), then a row for units of
 * a --units file outside the 63 province codes. Household shares from the
 * 2019 census populations by region, adjusted for household size [S]. The
 * regional targets other than the northern midlands and mountains are
 * assumptions chosen so that the weighted national rate is 4.03% [H]. */
static const gen_region NATION_REGIONS[] = {
	{"rrd", "Đồng bằng sông Hồng", 1.2, 2.2,
	 "[H] chosen with the others to give 4.03% nationally",
	 24.0, 0.30, {98.5, 0.5, 0.2, 0, 0, 0, 0.5, 0, 0.3, 0, 0}, -2.4855, 0.2330},
	{"nmm", "Trung du và miền núi phía Bắc", 14.23, 7.69,
	 "2022: poor 14.23%, near-poor 7.69% (domain.md §4) [S]", 12.0, 0.15,
	 {45, 13, 7, 11, 5, 12, 7, 0, 0, 0, 0}, -1.3442, 0.4527},
	{"ncc", "Bắc Trung Bộ và duyên hải miền Trung", 5.0, 4.6, "[H]", 21.5, 0.25,
	 {92.5, 0.5, 0, 0.5, 0, 3.5, 2.5, 0, 0.5, 0, 0}, -1.8071, 0.3845},
	{"ch", "Tây Nguyên", 8.5, 5.0, "[H]", 5.9, 0.25,
	 {66, 3.5, 3.5, 1, 1, 1.5, 1.5, 0, 0, 13, 9}, -1.7659, 0.5737},
	{"se", "Đông Nam Bộ", 0.3, 0.6, "[H]", 19.1, 0.55,
	 {93, 0.5, 0.8, 0, 0.3, 0.2, 0.2, 1.5, 3.5, 0, 0}, -3.1952, 0.5443},
	{"mrd", "Đồng bằng sông Cửu Long", 2.3, 3.9, "[H]", 17.5, 0.25,
	 {92, 0, 0, 0, 0, 0, 0, 6.5, 1.5, 0, 0}, -2.1128, 0.1084},
	/* 2019 census shares [S]; the 2.8% of groups not modelled count as Kinh. */
	{"vn", "Cả nước (đơn vị ngoài 63 tỉnh)", 4.03, 3.5,
	 "2022 national poor rate 4.03% (domain.md §4) [S]; near-poor 3.5% assumed [H]", 0.0, 0.30,
	 {88.1, 1.9, 1.1, 1.5, 0.9, 1.9, 1.5, 1.4, 0.8, 0.5, 0.4}, -1.9484, 0.5588},
};

static const gen_profile PROFILES[] = {
	{
		.name = "poor-district",
		.summary = "Hà Quảng district (Cao Bằng), 2021 review: 39.59% poor",
		.id_prefix = "HQ",
		.standard = "vn-2022-2026",
		.ref_date = 20211001,
		.poor = 39.59,
		.near_poor = 8.0,
		.size = 4.2,
		.source = "poor rate: seed section A (product.md) [V]; size: 59,467 people in 2019 "
			  "(domain.md §4) over ~14,000 households (5,546 / 39.59%) [S]",
		.units_root = "045",
		/* mean 4.22 */
		.size_pct = {6, 13.5, 17.5, 24, 16.5, 10.5, 6, 3.2, 1.6, 0.7, 0.3, 0.2, 0, 0},
		.income_sigma = 0.55,
		.income_rho = 0.8,
		.slope = 1.0,
		.def_logit = {-1.0, -2.0, -3.5, -1.3, -3.0, -1.2, -2.5, -1.1, -0.5, -1.3, -1.5,
			      -0.3},
		.unable_logit = -3.5,
		.unable_slope = 0.5,
		.sd_province = 0,
		.sd_district = 0,
		.sd_commune = 0.35,
		.sd_village = 0.15,
		.urban_offset = -0.8,
		.urban_kinh = 6,
		.eth_sd = 0.6,
		.female_head = 0.12,
		.edu_mu = -0.3,
		.work_self = 0.78,
		.work_contract = 0.12,
		.internet = 0.55,
		.dev_tv = 0.75,
		.dev_radio = 0.05,
		.dev_computer = 0.03,
		.dev_phone = 0.35,
		.dev_smartphone = 0.55,
		.empty_cell = 0.006,
		.no_income = 0.004,
		.score_only = 0.10,
		.score_and_amount = 0.02,
		.explicit_area = 0.03,
		.n_regions = 1,
		.regions = POOR_DISTRICT_REGIONS,
		.fallback_region = 0,
	},
	{
		.name = "nation",
		.summary = "Vietnam, 2022: 4.03% poor, 63 provinces in 6 regions",
		.id_prefix = "VN",
		.standard = "vn-2022-2026",
		.ref_date = 20211001,
		.poor = 4.03,
		.near_poor = 3.5,
		.size = 3.6,
		.source = "poor rate 4.03% (2022, domain.md §4) [S]; near-poor 3.5% [H]; size: "
			  "96.2 million people in 26.87 million households (2019 census, 3.58) [S]",
		.units_root = NULL,
		/* mean 3.61 */
		.size_pct = {9, 19, 20, 26, 14, 7, 3, 1.2, 0.5, 0.2, 0.07, 0.03, 0, 0},
		.income_sigma = 0.65,
		.income_rho = 0.8,
		.slope = 1.0,
		.def_logit = {-1.0, -2.0, -3.5, -1.3, -3.0, -1.2, -2.5, -1.1, -0.5, -1.3, -1.5,
			      -0.3},
		.unable_logit = -3.5,
		.unable_slope = 0.5,
		.sd_province = 0.3,
		.sd_district = 0.2,
		.sd_commune = 0.2,
		.sd_village = 0.1,
		.urban_offset = -0.6,
		.urban_kinh = 3,
		.eth_sd = 0.5,
		.female_head = 0.25,
		.edu_mu = 0.4,
		.work_self = 0.5,
		.work_contract = 0.38,
		.internet = 0.75,
		.dev_tv = 0.85,
		.dev_radio = 0.05,
		.dev_computer = 0.25,
		.dev_phone = 0.25,
		.dev_smartphone = 0.8,
		.empty_cell = 0.006,
		.no_income = 0.004,
		.score_only = 0.10,
		.score_and_amount = 0.02,
		.explicit_area = 0.03,
		.n_regions = (int)(sizeof NATION_REGIONS / sizeof NATION_REGIONS[0]),
		.regions = NATION_REGIONS,
		.fallback_region = 6,
	},
};

size_t gen_profile_n(void) { return sizeof PROFILES / sizeof PROFILES[0]; }

const gen_profile *gen_profile_at(size_t i) { return i < gen_profile_n() ? &PROFILES[i] : NULL; }

const gen_profile *gen_profile_find(const char *name)
{
	for (size_t i = 0; i < gen_profile_n(); i++)
		if (!strcmp(PROFILES[i].name, name)) return &PROFILES[i];
	return NULL;
}

size_t gnbv_gen_profile_count(void) { return gen_profile_n(); }

const char *gnbv_gen_profile_name(size_t i)
{
	return i < gen_profile_n() ? PROFILES[i].name : NULL;
}

const char *gnbv_gen_profile_summary(size_t i)
{
	return i < gen_profile_n() ? PROFILES[i].summary : NULL;
}

/* The 63 provinces and centrally-run cities of 2008-2025 with their GSO
 * codes (Decision 124/2004/QĐ-TTg) [S], by region: 0 Red River Delta,
 * 1 northern midlands and mountains, 2 north central and central coast,
 * 3 Central Highlands, 4 South East, 5 Mekong Delta. */
static const gen_province PROVINCES[] = {
	{"01", "Hà Nội", 0},        {"02", "Hà Giang", 1},       {"04", "Cao Bằng", 1},
	{"06", "Bắc Kạn", 1},       {"08", "Tuyên Quang", 1},    {"10", "Lào Cai", 1},
	{"11", "Điện Biên", 1},     {"12", "Lai Châu", 1},       {"14", "Sơn La", 1},
	{"15", "Yên Bái", 1},       {"17", "Hòa Bình", 1},       {"19", "Thái Nguyên", 1},
	{"20", "Lạng Sơn", 1},      {"22", "Quảng Ninh", 0},     {"24", "Bắc Giang", 1},
	{"25", "Phú Thọ", 1},       {"26", "Vĩnh Phúc", 0},      {"27", "Bắc Ninh", 0},
	{"30", "Hải Dương", 0},     {"31", "Hải Phòng", 0},      {"33", "Hưng Yên", 0},
	{"34", "Thái Bình", 0},     {"35", "Hà Nam", 0},         {"36", "Nam Định", 0},
	{"37", "Ninh Bình", 0},     {"38", "Thanh Hóa", 2},      {"40", "Nghệ An", 2},
	{"42", "Hà Tĩnh", 2},       {"44", "Quảng Bình", 2},     {"45", "Quảng Trị", 2},
	{"46", "Thừa Thiên Huế", 2}, {"48", "Đà Nẵng", 2},       {"49", "Quảng Nam", 2},
	{"51", "Quảng Ngãi", 2},    {"52", "Bình Định", 2},      {"54", "Phú Yên", 2},
	{"56", "Khánh Hòa", 2},     {"58", "Ninh Thuận", 2},     {"60", "Bình Thuận", 2},
	{"62", "Kon Tum", 3},       {"64", "Gia Lai", 3},        {"66", "Đắk Lắk", 3},
	{"67", "Đắk Nông", 3},      {"68", "Lâm Đồng", 3},       {"70", "Bình Phước", 4},
	{"72", "Tây Ninh", 4},      {"74", "Bình Dương", 4},     {"75", "Đồng Nai", 4},
	{"77", "Bà Rịa - Vũng Tàu", 4}, {"79", "Hồ Chí Minh", 4}, {"80", "Long An", 5},
	{"82", "Tiền Giang", 5},    {"83", "Bến Tre", 5},        {"84", "Trà Vinh", 5},
	{"86", "Vĩnh Long", 5},     {"87", "Đồng Tháp", 5},      {"89", "An Giang", 5},
	{"91", "Kiên Giang", 5},    {"92", "Cần Thơ", 5},        {"93", "Hậu Giang", 5},
	{"94", "Sóc Trăng", 5},     {"95", "Bạc Liêu", 5},       {"96", "Cà Mau", 5},
};

size_t gen_province_n(void) { return sizeof PROVINCES / sizeof PROVINCES[0]; }

const gen_province *gen_province_at(size_t i)
{
	return i < gen_province_n() ? &PROVINCES[i] : NULL;
}

int gen_province_region(const char *code, size_t len)
{
	for (size_t i = 0; i < gen_province_n(); i++)
		if (strlen(PROVINCES[i].code) == len && !memcmp(PROVINCES[i].code, code, len))
			return PROVINCES[i].region;
	return -1;
}
