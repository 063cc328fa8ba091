/*
 * names.c - ethnic groups and the names the generator gives their members.
 *
 * Each group has its family names (weighted by rough frequency), middle
 * names by sex (for Kinh, the older and the younger generations: "Văn" and
 * "Thị" were near-universal before the 1980s), and given names. Tày, Nùng
 * and Kinh share most given names; H'Mông, Dao, Thái, Khmer, Gia Rai and
 * Ê Đê have their own. Ê Đê names put the family name last after the
 * prefix Y (men) or H' (women); Gia Rai names are family + given. Ê Đê and
 * Gia Rai are matrilineal: children take the mother's family name.
 *
 * Every string is NFC UTF-8 (precomposed letters; tests/cli/gen_calibration.py
 * checks the output). The lists are common names, not real people, and the
 * frequencies are illustrative [H].
 */
#include "gen_internal.h"

#include <string.h>

typedef struct list {
	const char *const *s;
	const unsigned char *w; /* weights; NULL: uniform */
	int n;
} list;

#define L(a) {a, NULL, (int)(sizeof a / sizeof a[0])}
#define LW(a, w) {a, w, (int)(sizeof a / sizeof a[0])}
#define NOL {NULL, NULL, 0}

static int draw(gen_rng *r, const list *l)
{
	if (!l->w) return (int)gen_below(r, (uint32_t)l->n);
	unsigned total = 0;
	for (int i = 0; i < l->n; i++) total += l->w[i];
	unsigned x = gen_below(r, total);
	for (int i = 0; i < l->n; i++) {
		if (x < l->w[i]) return i;
		x -= l->w[i];
	}
	return l->n - 1;
}

/* ---- Family names ------------------------------------------------------ */

static const char *const FAM_KINH[] = {
	"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
	"Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Đào", "Mai",
	"Cao", "Lương", "Tạ", "Tô", "Hà", "Lâm", "Triệu", "Chu", "Phùng", "Đoàn",
	"Kiều", "Thái", "Vương", "Quách"};
static const unsigned char FAM_KINH_W[] = {
	76, 22, 19, 14, 10, 4, 9, 8, 4, 4, 4, 3, 3, 3, 2, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const char *const FAM_TAY[] = {
	"Nông", "Hoàng", "Lục", "Đàm", "Bế", "Mã", "Triệu", "Lương", "Hà", "Lý",
	"Chu", "Sầm", "La", "Vi", "Lâm", "Ma", "Nguyễn", "Lường", "Hứa", "Nịnh", "Lãnh"};
static const unsigned char FAM_TAY_W[] = {
	18, 16, 8, 8, 8, 6, 6, 6, 5, 5, 4, 3, 3, 3, 3, 3, 4, 2, 2, 1, 1};
static const char *const FAM_NUNG[] = {
	"Hoàng", "Nông", "Lục", "Mã", "Lý", "Đàm", "Lương", "Vi", "Chu", "Lã",
	"Hứa", "Sầm", "Triệu", "Bế", "Lường", "Dương", "Lăng", "Nguyễn", "Mông", "Lành"};
static const unsigned char FAM_NUNG_W[] = {
	18, 14, 10, 9, 8, 7, 6, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 3, 1, 1};
static const char *const FAM_HMONG[] = {
	"Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hầu", "Mùa", "Lầu", "Vừ", "Hạng",
	"Sình", "Dương", "Ly"};
static const unsigned char FAM_HMONG_W[] = {20, 15, 15, 12, 10, 6, 6, 5, 5, 3, 2, 1, 3};
static const char *const FAM_DAO[] = {
	"Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo", "Tẩn", "Hoàng", "Lò", "Bàng"};
static const unsigned char FAM_DAO_W[] = {30, 20, 15, 12, 6, 5, 5, 4, 2, 2};
static const char *const FAM_THAI[] = {
	"Lò", "Lường", "Cầm", "Quàng", "Vi", "Hà", "Tòng", "Lù", "Lự", "Mè",
	"Điêu", "Sầm", "Bạc", "Lê"};
static const unsigned char FAM_THAI_W[] = {20, 12, 10, 10, 10, 10, 6, 4, 3, 3, 3, 3, 3, 3};
static const char *const FAM_MUONG[] = {
	"Bùi", "Đinh", "Quách", "Hà", "Bạch", "Xa", "Cao", "Phạm", "Nguyễn"};
static const unsigned char FAM_MUONG_W[] = {30, 25, 10, 10, 8, 5, 5, 4, 3};
static const char *const FAM_KHMER[] = {
	"Thạch", "Sơn", "Kim", "Danh", "Lâm", "Châu", "Chau", "Lý", "Trần"};
static const unsigned char FAM_KHMER_W[] = {25, 20, 15, 15, 8, 8, 5, 4, 3};
static const char *const FAM_HOA[] = {
	"Lâm", "Trương", "Quách", "Hứa", "Lưu", "Mạch", "Tăng", "Lý", "Trần", "Huỳnh",
	"Diệp", "La", "Ông", "Tạ", "Hồng"};
static const char *const FAM_GIARAI[] = {
	"Ksor", "Rơ Châm", "Siu", "Rah Lan", "Kpă", "Nay", "Rơ Mah", "Puih", "Rơ Lan"};
static const unsigned char FAM_GIARAI_W[] = {25, 12, 15, 10, 12, 10, 8, 8, 4};
static const char *const FAM_EDE[] = {
	"Niê", "Êban", "Mlô", "Ksơr", "Byă", "Hmok", "Buôn Yă", "Ayun", "Adrơng", "Knul",
	"Kbuôr", "Êya"};
static const unsigned char FAM_EDE_W[] = {30, 15, 10, 8, 8, 6, 5, 5, 5, 4, 4, 3};

/* ---- Middle names ------------------------------------------------------ */

static const char *const MID_VN_M_OLD[] = {
	"Văn", "Đức", "Hữu", "Xuân", "Quang", "Ngọc", "Công", "Đình", "Minh", "Thanh"};
static const unsigned char MID_VN_M_OLD_W[] = {60, 8, 6, 5, 4, 4, 4, 5, 4, 3};
static const char *const MID_VN_M_YOUNG[] = {
	"Văn", "Minh", "Đức", "Quốc", "Hoàng", "Gia", "Anh", "Thành", "Hữu", "Bảo",
	"Tuấn", "Duy", "Trung", "Quang", "Đăng"};
static const unsigned char MID_VN_M_YOUNG_W[] = {25, 12, 10, 8, 6, 8, 5, 6, 4, 6, 4, 4, 2, 4, 3};
static const char *const MID_VN_F_OLD[] = {"Thị", "Ngọc", "Thu", "Kim", "Thanh", "Minh"};
static const unsigned char MID_VN_F_OLD_W[] = {85, 4, 3, 3, 3, 2};
static const char *const MID_VN_F_YOUNG[] = {
	"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Khánh", "Thùy", "Hoài",
	"Mai", "Kim", "Hải", "Diệu"};
static const unsigned char MID_VN_F_YOUNG_W[] = {35, 10, 8, 6, 5, 6, 6, 5, 6, 4, 4, 5, 3, 3};
/* Tày, Nùng, Thái, Mường: "Văn" and "Thị" in every generation. */
static const char *const MID_MIN_M[] = {"Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân"};
static const unsigned char MID_MIN_M_W[] = {75, 7, 6, 4, 4, 4};
static const char *const MID_MIN_F[] = {"Thị", "Thu", "Ngọc", "Thanh"};
static const unsigned char MID_MIN_F_W[] = {85, 5, 5, 5};
static const char *const MID_HMONG_M[] = {"A", "Mí", "Seo", "Chứ", "Văn"};
static const unsigned char MID_HMONG_M_W[] = {45, 15, 15, 8, 17};
static const char *const MID_HMONG_F[] = {"Thị", "Mỷ"};
static const unsigned char MID_HMONG_F_W[] = {85, 15};
static const char *const MID_DAO_M[] = {"Văn", "Tòn", "Kiềm", "Chòi", "Vần", "Quầy", "Sành"};
static const unsigned char MID_DAO_M_W[] = {50, 15, 10, 5, 5, 5, 5};
static const char *const MID_DAO_F[] = {"Thị", "Mùi", "Chiêm"};
static const unsigned char MID_DAO_F_W[] = {80, 10, 10};
static const char *const MID_KHMER_M[] = {"", "Văn", "Sô", "Sa", "Thanh"};
static const unsigned char MID_KHMER_M_W[] = {50, 20, 10, 10, 10};
static const char *const MID_KHMER_F[] = {"Thị", "", "Sa", "Sô"};
static const unsigned char MID_KHMER_F_W[] = {60, 20, 10, 10};
static const char *const MID_HOA_M[] = {"Văn", "Quốc", "Vĩnh", "Kiến", "Gia", "Chí"};
static const char *const MID_HOA_F[] = {"Thị", "Mỹ", "Ngọc", "Huệ", "Lệ"};

/* ---- Given names ------------------------------------------------------- */

static const char *const GIV_VN_M[] = {
	"An", "Anh", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Đạt", "Đông",
	"Đức", "Giang", "Hải", "Hậu", "Hiếu", "Hiệp", "Hòa", "Hoàng", "Hùng", "Huy",
	"Hưng", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Linh", "Lộc", "Long", "Luân",
	"Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Quân", "Quang", "Quý",
	"Sơn", "Tài", "Tâm", "Thái", "Thắng", "Thành", "Thiện", "Thịnh", "Thuận", "Tiến",
	"Toàn", "Trí", "Trọng", "Trung", "Tú", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
	"Bảo", "Đăng", "Hào", "Kiệt", "Nguyên", "Phát", "Thanh", "Tín", "Hạnh", "Lợi"};
static const char *const GIV_VN_F[] = {
	"An", "Anh", "Ánh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh",
	"Hằng", "Hiền", "Hoa", "Hồng", "Huệ", "Huyền", "Hương", "Hường", "Lan", "Liên",
	"Liễu", "Linh", "Loan", "Lụa", "Mai", "My", "Nga", "Ngân", "Nguyệt", "Nhàn",
	"Nhung", "Nhi", "Oanh", "Phương", "Quyên", "Quỳnh", "Sen", "Tâm", "Thảo", "Thắm",
	"Thu", "Thủy", "Thúy", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Xuân",
	"Yến", "Ngọc", "Diệp", "Hậu", "Lý", "Mơ"};
/* Older Tày and Nùng given names, mixed with the common ones. */
static const char *const GIV_TAYNUNG_M[] = {
	"Pảo", "Khiêm", "Sáng", "Dìn", "Phẳng", "Chẩn", "Lìn", "Thìn", "Slằng", "Pẻn",
	"Kỷ", "Khuyến", "Nghiệp"};
static const char *const GIV_TAYNUNG_F[] = {
	"Dín", "Hom", "Nhình", "Mác", "Thoan", "Sỉu", "Hìn", "Mẩy", "Nọi", "Sinh", "Phấn"};
static const char *const GIV_HMONG_M[] = {
	"Páo", "Pó", "Sử", "Chứ", "Dế", "Lử", "Sình", "Tủa", "Chính", "Mua",
	"Vư", "Phử", "Dình", "Cáng", "Chá", "Dủa", "Lồng", "Súa", "Tông", "Xà"};
static const char *const GIV_HMONG_F[] = {
	"Mỷ", "Dở", "Chơ", "Pà", "Máy", "Dua", "Sua", "Xí", "Mai", "Di",
	"Say", "Chở", "Ly", "Mỉ", "Lìa", "Sếnh", "Dính", "Vá"};
static const char *const GIV_DAO_M[] = {
	"Tòn", "Quẩy", "Kiềm", "Sành", "Phin", "Lìn", "Chàn", "Sinh", "Hin", "Cao",
	"Vương", "Phẩy", "Chòi", "Chấn", "Dào", "Phú", "Kìn", "Thài"};
static const char *const GIV_DAO_F[] = {
	"Mẩy", "Mây", "Nải", "Xuân", "Dủn", "Chiêm", "Lai", "Phấy", "Mùi", "Liều",
	"Nhất", "Phượng", "Chạn", "Sỉu", "Khé"};
static const char *const GIV_THAI_M[] = {
	"Khăm", "Pắng", "Xiêng", "Chung", "Thanh", "Ngọc", "Sơn", "Hoan", "Nọi", "Ót",
	"Phanh", "Thoong", "Kiên", "Ban", "Inh", "Khánh"};
static const char *const GIV_THAI_F[] = {
	"Ún", "Xiêng", "Ương", "Hiên", "Ban", "Ngoan", "Thoa", "Bun", "Pọm", "Ọn",
	"Ánh", "Sương"};
static const char *const GIV_KHMER_M[] = {
	"Phal", "Rết", "Sóc", "Rinh", "Sang", "Thươl", "Ty", "Mết", "Pha", "Sa Rươn",
	"Chanh", "Xây", "Bô", "Kha", "Na"};
static const char *const GIV_KHMER_F[] = {
	"Ra", "Phia", "Ni", "Thy", "Phol", "Nang", "Sa Ri", "Sóc Kha", "Mây", "Ly",
	"Đa", "Chanh Thy", "Sen"};
static const char *const GIV_HOA_M[] = {
	"Phát", "Tài", "Cường", "Kiệt", "Vinh", "Hào", "Hưng", "Sang", "Thành", "Lợi",
	"Minh", "Quang", "Khải"};
static const char *const GIV_HOA_F[] = {
	"Cẩm", "Hoa", "Mỹ", "Diệu", "Linh", "Phụng", "Lan", "Ngọc", "Tuyết", "Mai",
	"Hân", "Nghi"};
static const char *const GIV_GIARAI_M[] = {
	"Phước", "Blơi", "Dơk", "Djuan", "Hyon", "Thu", "Lứ", "Nguyên", "Kim", "Tiêm",
	"Yơn", "Brel", "Hiu"};
static const char *const GIV_GIARAI_F[] = {
	"H'Blin", "H'Nhiên", "H'Lan", "H'Ler", "H'Mai", "H'Yen", "H'Nga", "H'Bia",
	"H'Hiền", "H'Djuih"};
static const char *const GIV_EDE_M[] = {
	"Y Moan", "Y Tlam", "Y Bih", "Y Thông", "Y Điêng", "Y Nuê", "Y Jut", "Y Kuan",
	"Y Blir", "Y Wăn", "Y Siêng", "Y Khoa", "Y Ngông"};
static const char *const GIV_EDE_F[] = {
	"H'Hen", "H'Lan", "H'Yim", "H'Luin", "H'Ngoan", "H'Nhi", "H'Bly", "H'Wen",
	"H'Rim", "H'Jin", "H'Mai", "H'Yâo"};

/* ---- The groups -------------------------------------------------------- */

enum { ORDER_FMG, ORDER_FG, ORDER_GF }; /* family middle given; family given; given family */

typedef struct ethnic {
	const char *name;
	double z_offset;
	bool matrilineal;
	int order;
	list family;
	list mid_m_old, mid_m_young, mid_f_old, mid_f_young;
	list given_m, given_f;
	list local_m, local_f; /* group-specific given names */
	double local_share;    /* ... drawn instead of given_* with this chance */
} ethnic;

/* z offsets [H]: ethnic-minority households are poorer on average (the
 * program's separate target for ethnic-minority poverty, domain.md §3.1);
 * the sizes are calibration assumptions, not measurements. */
static const ethnic ETHNIC[ETH_COUNT] = {
	[ETH_KINH] = {"Kinh", 0.0, false, ORDER_FMG, LW(FAM_KINH, FAM_KINH_W),
		      LW(MID_VN_M_OLD, MID_VN_M_OLD_W), LW(MID_VN_M_YOUNG, MID_VN_M_YOUNG_W),
		      LW(MID_VN_F_OLD, MID_VN_F_OLD_W), LW(MID_VN_F_YOUNG, MID_VN_F_YOUNG_W),
		      L(GIV_VN_M), L(GIV_VN_F), NOL, NOL, 0.0},
	[ETH_TAY] = {"Tày", 0.3, false, ORDER_FMG, LW(FAM_TAY, FAM_TAY_W),
		     LW(MID_MIN_M, MID_MIN_M_W), LW(MID_MIN_M, MID_MIN_M_W),
		     LW(MID_MIN_F, MID_MIN_F_W), LW(MID_MIN_F, MID_MIN_F_W), L(GIV_VN_M),
		     L(GIV_VN_F), L(GIV_TAYNUNG_M), L(GIV_TAYNUNG_F), 0.15},
	[ETH_NUNG] = {"Nùng", 0.4, false, ORDER_FMG, LW(FAM_NUNG, FAM_NUNG_W),
		      LW(MID_MIN_M, MID_MIN_M_W), LW(MID_MIN_M, MID_MIN_M_W),
		      LW(MID_MIN_F, MID_MIN_F_W), LW(MID_MIN_F, MID_MIN_F_W), L(GIV_VN_M),
		      L(GIV_VN_F), L(GIV_TAYNUNG_M), L(GIV_TAYNUNG_F), 0.2},
	[ETH_HMONG] = {"H'Mông", 1.0, false, ORDER_FMG, LW(FAM_HMONG, FAM_HMONG_W),
		       LW(MID_HMONG_M, MID_HMONG_M_W), LW(MID_HMONG_M, MID_HMONG_M_W),
		       LW(MID_HMONG_F, MID_HMONG_F_W), LW(MID_HMONG_F, MID_HMONG_F_W),
		       L(GIV_HMONG_M), L(GIV_HMONG_F), NOL, NOL, 0.0},
	[ETH_DAO] = {"Dao", 0.7, false, ORDER_FMG, LW(FAM_DAO, FAM_DAO_W),
		     LW(MID_DAO_M, MID_DAO_M_W), LW(MID_DAO_M, MID_DAO_M_W),
		     LW(MID_DAO_F, MID_DAO_F_W), LW(MID_DAO_F, MID_DAO_F_W), L(GIV_DAO_M),
		     L(GIV_DAO_F), NOL, NOL, 0.0},
	[ETH_THAI] = {"Thái", 0.6, false, ORDER_FMG, LW(FAM_THAI, FAM_THAI_W),
		      LW(MID_MIN_M, MID_MIN_M_W), LW(MID_MIN_M, MID_MIN_M_W),
		      LW(MID_MIN_F, MID_MIN_F_W), LW(MID_MIN_F, MID_MIN_F_W), L(GIV_VN_M),
		      L(GIV_VN_F), L(GIV_THAI_M), L(GIV_THAI_F), 0.5},
	[ETH_MUONG] = {"Mường", 0.5, false, ORDER_FMG, LW(FAM_MUONG, FAM_MUONG_W),
		       LW(MID_MIN_M, MID_MIN_M_W), LW(MID_VN_M_YOUNG, MID_VN_M_YOUNG_W),
		       LW(MID_MIN_F, MID_MIN_F_W), LW(MID_VN_F_YOUNG, MID_VN_F_YOUNG_W),
		       L(GIV_VN_M), L(GIV_VN_F), NOL, NOL, 0.0},
	[ETH_KHMER] = {"Khmer", 0.6, false, ORDER_FMG, LW(FAM_KHMER, FAM_KHMER_W),
		       LW(MID_KHMER_M, MID_KHMER_M_W), LW(MID_KHMER_M, MID_KHMER_M_W),
		       LW(MID_KHMER_F, MID_KHMER_F_W), LW(MID_KHMER_F, MID_KHMER_F_W),
		       L(GIV_KHMER_M), L(GIV_KHMER_F), L(GIV_VN_M), L(GIV_VN_F), 0.3},
	[ETH_HOA] = {"Hoa", -0.2, false, ORDER_FMG, L(FAM_HOA), L(MID_HOA_M), L(MID_HOA_M),
		     L(MID_HOA_F), L(MID_HOA_F), L(GIV_HOA_M), L(GIV_HOA_F), L(GIV_VN_M),
		     L(GIV_VN_F), 0.3},
	[ETH_GIARAI] = {"Gia Rai", 0.9, true, ORDER_FG, LW(FAM_GIARAI, FAM_GIARAI_W),
			NOL, NOL, NOL, NOL,
			L(GIV_GIARAI_M), L(GIV_GIARAI_F), NOL, NOL, 0.0},
	[ETH_EDE] = {"Ê Đê", 0.8, true, ORDER_GF, LW(FAM_EDE, FAM_EDE_W), NOL,
		     NOL, NOL, NOL, L(GIV_EDE_M),
		     L(GIV_EDE_F), NOL, NOL, 0.0},
};

const char *gen_eth_name(int eth) { return (unsigned)eth < ETH_COUNT ? ETHNIC[eth].name : ""; }

double gen_eth_offset(int eth) { return (unsigned)eth < ETH_COUNT ? ETHNIC[eth].z_offset : 0; }

bool gen_eth_matrilineal(int eth) { return (unsigned)eth < ETH_COUNT && ETHNIC[eth].matrilineal; }

int gen_family_draw(gen_rng *r, int eth) { return draw(r, &ETHNIC[eth].family); }

static size_t put(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);
	if (!n) return len;
	if (len + 1 + n > GEN_NAME_CAP) return len; /* the lists are short: never happens */
	if (len) buf[len++] = ' ';
	memcpy(buf + len, s, n);
	return len + n;
}

size_t gen_name(gen_rng *r, int eth, int family, bool male, int birth_year, char *buf)
{
	const ethnic *e = &ETHNIC[eth];
	const list *given = male ? &e->given_m : &e->given_f;
	const list *local = male ? &e->local_m : &e->local_f;
	/* Local names are commoner among the old. */
	double ls = e->local_share * (birth_year < 1970 ? 2.0 : birth_year < 1990 ? 1.0 : 0.4);
	if (local->n && gen_chance(r, ls)) given = local;
	const char *g = given->s[draw(r, given)];
	const char *f = e->family.s[family < e->family.n ? family : 0];
	size_t len = 0;
	switch (e->order) {
	case ORDER_FG:
		len = put(buf, len, f);
		len = put(buf, len, g);
		break;
	case ORDER_GF:
		len = put(buf, len, g);
		len = put(buf, len, f);
		break;
	default: {
		bool young = birth_year >= 1985;
		const list *mid = male ? (young ? &e->mid_m_young : &e->mid_m_old)
				       : (young ? &e->mid_f_young : &e->mid_f_old);
		len = put(buf, len, f);
		if (mid->n) len = put(buf, len, mid->s[draw(r, mid)]);
		len = put(buf, len, g);
		break;
	}
	}
	return len;
}
