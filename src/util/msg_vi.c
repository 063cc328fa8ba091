/*
 * msg_vi.c - the Vietnamese catalogue of the library's messages.
 *
 * An officer meets these when a file will not import or classify: what is
 * wrong, where (file:line:column, which stay as they are) and how to mend
 * it. Each entry is the English format exactly as the failure site writes
 * it, then its Vietnamese; gnbv_tr looks formats up here when the thread's
 * language is Vietnamese and keeps the English when there is no entry.
 *
 * A translation must have the same conversions (%s, %.*s, %ld, ...) in the
 * same order as its English: tests/unit/test_msg.c checks every entry, and
 * tests/cli/messages_vi.py checks that every message of the input path
 * (the CSV reader, the exchange format, classify, the feed, the units file
 * and the store's import) has an entry. Column names and the format's words
 * (rural, head, contract, ...) stay as the files spell them.
 */
#include "gnbv/error.h"

#include <stddef.h>
#include <string.h>

typedef struct entry {
	const char *en, *vi;
} entry;

static const entry MSG_VI[] = {
	/* the CSV reader (src/io/csv.c) */
	{"%s:%ld: record longer than %u MiB (an unterminated quote?)",
	 "%s:%ld: bản ghi dài quá %u MiB (thiếu dấu ngoặc kép đóng?)"},
	{"%s: cannot open: %s", "%s: không mở được tệp: %s"},
	{"%s: read error: %s", "%s: lỗi khi đọc tệp: %s"},
	{"%s: cannot rewind: %s", "%s: không đọc lại được từ đầu tệp: %s"},
	{"not a CSV file: this is a ZIP archive (an XLSX workbook?); save it as \"CSV UTF-8\"",
	 "không phải tệp CSV: đây là tệp nén ZIP (bảng tính XLSX?); hãy lưu lại theo dạng \"CSV UTF-8\""},
	{"not a UTF-8 CSV file: it is UTF-16; save it as \"CSV UTF-8\"",
	 "không phải tệp CSV UTF-8: tệp mã hoá UTF-16; hãy lưu lại theo dạng \"CSV UTF-8\""},
	{"binary data (a NUL byte): not a CSV text file",
	 "dữ liệu nhị phân (có byte NUL): không phải tệp văn bản CSV"},
	{"invalid UTF-8 (a legacy TCVN3/VNI or Windows-1258 file?); save it as \"CSV UTF-8\"",
	 "chữ không đúng mã UTF-8 (tệp theo bảng mã cũ TCVN3, VNI hay Windows-1258?); hãy lưu lại theo dạng "
	 "\"CSV UTF-8\""},
	{"more than 1024 fields in a record", "một bản ghi có quá 1024 ô"},
	{"unterminated quoted field (a \" without its closing \")",
	 "ô mở ngoặc kép mà không đóng (có dấu \" nhưng thiếu dấu \" đóng)"},
	{"a character after a closing quote (write \"\" for a quote inside a quoted field)",
	 "có ký tự sau dấu ngoặc kép đóng (viết \"\" cho dấu ngoặc kép nằm trong ô)"},
	{"a quote inside an unquoted field (quote the whole field and double the quote)",
	 "có dấu ngoặc kép trong ô không đặt trong ngoặc kép (đặt cả ô trong ngoặc kép và viết đôi dấu ngoặc kép)"},
	{"%s:%ld:%zu: header: column %zu has no name", "%s:%ld:%zu: dòng tiêu đề: cột %zu không có tên"},
	{"%s:%ld:%zu: column '%s': appears twice in the header",
	 "%s:%ld:%zu: cột '%s': có hai lần trong dòng tiêu đề"},
	{"%s:%ld:%zu: column '%s': %s", "%s:%ld:%zu: cột '%s': %s"},

	/* the exchange format's rows (src/io/exchange.c) */
	{"households", "hộ"},
	{"members", "thành viên"},
	{"%s:1: column '%s': missing: the %s file must have a '%s' column",
	 "%s:1: cột '%s': thiếu: tệp %s phải có cột '%s'"},
	{"%s: unknown column '%s' is ignored (misspelt?)", "%s: cột lạ '%s' được bỏ qua (viết sai tên?)"},
	{"%s: no column '%s': it counts as empty in every row", "%s: không có cột '%s': coi như để trống ở mọi dòng"},
	{"%zu fields, but the header has %zu columns (a stray comma, or a cell with a comma that is not quoted?)",
	 "có %zu ô, nhưng dòng tiêu đề có %zu cột (thừa dấu phẩy, hay một ô có dấu phẩy mà không đặt trong "
	 "ngoặc kép?)"},
	{"empty: every household needs its code", "để trống: hộ nào cũng phải có mã hộ"},
	{"empty: every household needs the code of its unit", "để trống: hộ nào cũng phải có mã đơn vị (xã, phường) của hộ"},
	{"empty: every member needs the code of its household", "để trống: thành viên nào cũng phải có mã hộ"},
	{"expected rural or urban, found '%.*s'", "cần rural (nông thôn) hoặc urban (thành thị), gặp '%.*s'"},
	{"expected a whole number of VND per person per month (digits only), found '%.*s'",
	 "cần số đồng mỗi người mỗi tháng, số nguyên (chỉ gồm chữ số), gặp '%.*s'"},
	{"expected an income score (a number such as 140 or 152.5), found '%.*s'",
	 "cần điểm thu nhập (một số như 140 hay 152.5), gặp '%.*s'"},
	{"expected the living area in m² (such as 25.5), found '%.*s'",
	 "cần diện tích nhà ở tính bằng m² (như 25.5), gặp '%.*s'"},
	{"expected devices separated by ';' from tv, radio, computer, phone, smartphone; found '%.*s'",
	 "cần các thiết bị cách nhau bằng ';', lấy trong tv, radio, computer, phone, smartphone; gặp '%.*s'"},
	{"expected 1 or 0 (or yes/no, có/không), found '%.*s'", "cần 1 hoặc 0 (hay yes/no, có/không), gặp '%.*s'"},
	{"expected the member's number (1, 2, ...), found '%.*s'", "cần số thứ tự của thành viên (1, 2, ...), gặp '%.*s'"},
	{"expected M or F, found '%.*s'", "cần M (nam) hoặc F (nữ), gặp '%.*s'"},
	{"expected a date YYYY-MM-DD (or the year YYYY), found '%.*s'",
	 "cần ngày theo dạng YYYY-MM-DD (hoặc chỉ năm YYYY), gặp '%.*s'"},
	{"expected head, spouse, child, parent, grandchild or other; found '%.*s'",
	 "cần head, spouse, child, parent, grandchild hoặc other; gặp '%.*s'"},
	{"expected contract, no_contract, self, unemployed, student or none; found '%.*s'",
	 "cần contract, no_contract, self, unemployed, student hoặc none; gặp '%.*s'"},
	{"expected none, preschool, primary, lower_secondary, upper_secondary, vocational, college or university; "
	 "found '%.*s'",
	 "cần none, preschool, primary, lower_secondary, upper_secondary, vocational, college hoặc university; "
	 "gặp '%.*s'"},

	/* classify (src/io/classify.c) and the members feed (src/io/mfeed.c) */
	{"area is empty and unit '%.*s' has no known area; fill in rural or urban, or give --units FILE",
	 "ô area để trống mà chưa biết khu vực của đơn vị '%.*s'; hãy điền rural hoặc urban, hoặc chỉ tệp đơn vị "
	 "bằng --units TỆP"},
	{"%s: too many members to index", "%s: quá nhiều thành viên để lập chỉ mục"},
	{"%s:%ld:%d: column 'member_no': household '%s' already has a member number %d (line %ld)",
	 "%s:%ld:%d: cột 'member_no': hộ '%s' đã có thành viên số %d (dòng %ld)"},
	{"household '%.*s' has no members in %s", "hộ '%.*s' không có thành viên nào trong %s"},
	{"duplicate household_id '%.*s' (first at line %ld)", "household_id '%.*s' bị trùng (lần đầu ở dòng %ld)"},
	{"household '%.*s' has more than %d members", "hộ '%.*s' có quá %d thành viên"},
	{"%s:%ld:%d: column 'household_id': member of unknown household '%s' (not in %s)",
	 "%s:%ld:%d: cột 'household_id': thành viên của hộ '%s' không có trong %s"},
	{"%s:1: empty file: expected a header row", "%s:1: tệp trống: cần dòng tiêu đề"},
	{"%s: cannot create the output folder: %s", "%s: không tạo được thư mục kết quả: %s"},
	{"%s:%ld:%d: column 'member_no': household '%.*s' has more than %d members",
	 "%s:%ld:%d: cột 'member_no': hộ '%.*s' có quá %d thành viên"},
	{"%s:%ld:%d: column 'member_no': household '%.*s' already has a member number %d",
	 "%s:%ld:%d: cột 'member_no': hộ '%.*s' đã có thành viên số %d"},

	/* the units file (src/io/units.c) */
	{"%s: empty units file", "%s: tệp đơn vị trống"},
	{"%s:1: column 'code': missing", "%s:1: cột 'code': thiếu"},
	{"%zu fields, but the header has %zu", "có %zu ô, nhưng dòng tiêu đề có %zu"},
	{"empty unit code", "mã đơn vị để trống"},
	{"expected rural or urban", "cần rural (nông thôn) hoặc urban (thành thị)"},
	{"units: code '%s' appears twice", "đơn vị: mã '%s' có hai lần"},
	{"units: a cycle of parent codes at '%s'", "đơn vị: mã cấp trên quay vòng ở '%s'"},

	/* the store's import (src/store/import.c) */
	{"longer than %zu bytes", "dài quá %zu byte"},
	{"input too large to hold in memory", "dữ liệu quá lớn để giữ trong bộ nhớ"},
	{"area is empty and unit '%.*s' has no known area; fill in rural or urban",
	 "ô area để trống mà chưa biết khu vực của đơn vị '%.*s'; hãy điền rural hoặc urban"},
	{"too many households in one file", "quá nhiều hộ trong một tệp"},
	{"duplicate household_id '%s' (first at line %u)", "household_id '%s' bị trùng (lần đầu ở dòng %u)"},
	{"member of unknown household '%s' (not in %s)", "thành viên của hộ '%s' không có trong %s"},
	{"household '%s' has more than %d members", "hộ '%s' có quá %d thành viên"},
	{"household '%s' already has a member number %d (line %u)", "hộ '%s' đã có thành viên số %d (dòng %u)"},
	{"%s:%u:%d: column 'member_no': household '%s' already has a member number %d (line %u)",
	 "%s:%u:%d: cột 'member_no': hộ '%s' đã có thành viên số %d (dòng %u)"},
	{"%s:%u:%d: column 'household_id': household '%s' has no members in %s",
	 "%s:%u:%d: cột 'household_id': hộ '%s' không có thành viên nào trong %s"},
	{"%s changed while being imported: nothing was imported", "%s đã thay đổi trong lúc nhập: chưa nhập gì"},
	{"out of memory holding %s", "hết bộ nhớ khi giữ %s"},
	{"gnbv_store_import: options version %u, expected %u", "gnbv_store_import: tuỳ chọn phiên bản %u, cần %u"},

	{"out of memory", "hết bộ nhớ"},

	/* the command line's own checks of its options (src/cli) */
	{"gnbv: classify: unknown or incomplete option '%s'\n", "gnbv: classify: tuỳ chọn lạ hoặc thiếu giá trị '%s'\n"},
	{"gnbv: import: unknown or incomplete option '%s'\n", "gnbv: import: tuỳ chọn lạ hoặc thiếu giá trị '%s'\n"},
	{"gnbv: export: unknown or incomplete option '%s'\n", "gnbv: export: tuỳ chọn lạ hoặc thiếu giá trị '%s'\n"},
	{"gnbv: gen: unknown or incomplete option '%s'\n", "gnbv: gen: tuỳ chọn lạ hoặc thiếu giá trị '%s'\n"},
	{"gnbv: error: --as-of '%s': expected a date YYYY-MM-DD\n",
	 "gnbv: error: --as-of '%s': cần ngày theo dạng YYYY-MM-DD\n"},
	{"gnbv: error: --round '%s': expected a year such as 2021\n", "gnbv: error: --round '%s': cần một năm, như 2021\n"},
	{"gnbv: error: --kind '%s': expected periodic or adhoc\n",
	 "gnbv: error: --kind '%s': cần periodic (định kỳ) hoặc adhoc (đột xuất)\n"},
	{"gnbv: error: %s --kind adhoc needs --as-of DATE, the day of the ad-hoc review\n",
	 "gnbv: error: %s --kind adhoc cần --as-of NGÀY, ngày rà soát đột xuất\n"},
	{"gnbv: error: --households '%s': expected a whole number\n", "gnbv: error: --households '%s': cần một số nguyên\n"},
	{"gnbv: error: --seed '%s': expected a whole number\n", "gnbv: error: --seed '%s': cần một số nguyên\n"},
	{"gnbv: error: --profile '%s': expected", "gnbv: error: --profile '%s': cần"},
	{" or", " hoặc"},
	{"gnbv: error: --iterations '%s': expected 0 to 100\n", "gnbv: error: --iterations '%s': cần số từ 0 đến 100\n"},
	{"gnbv: plan %s: --year wants a year such as 2023, not '%s'\n",
	 "gnbv: plan %s: --year cần một năm, như 2023, không phải '%s'\n"},
	{"gnbv: plan %s: --unit CODE and --year YEAR are required\n", "gnbv: plan %s: cần --unit MÃ và --year NĂM\n"},
	{"gnbv: plan list: --format is text or csv, not '%s'\n",
	 "gnbv: plan list: --format là text hoặc csv, không phải '%s'\n"},
	{"gnbv: plan show: --format is text, csv or json, not '%s'\n",
	 "gnbv: plan show: --format là text, csv hoặc json, không phải '%s'\n"},
	{"gnbv: plan check: --format is text or json, not '%s'\n",
	 "gnbv: plan check: --format là text hoặc json, không phải '%s'\n"},
	{"gnbv: plan export: give --xlsx FILE, --docx FILE and/or --json FILE\n",
	 "gnbv: plan export: hãy chỉ --xlsx TỆP, --docx TỆP và/hoặc --json TỆP\n"},
	{"gnbv: plan set: give --line ID --amount VND, and/or --number, --date, --signer, --status\n",
	 "gnbv: plan set: hãy chỉ --line MÃ --amount ĐỒNG, và/hoặc --number, --date, --signer, --status\n"},
	{"gnbv: plan set: --amount is whole VND (e.g. 2100000000), not '%s'\n",
	 "gnbv: plan set: --amount là số đồng nguyên (ví dụ 2100000000), không phải '%s'\n"},
	{"gnbv: plan set: --status is draft, submitted or approved\n",
	 "gnbv: plan set: --status là draft (dự thảo), submitted (đã trình) hoặc approved (đã duyệt)\n"},
	{"gnbv: plan: unknown subcommand '%s' (import, list, show, check, export, set)\n",
	 "gnbv: plan: lệnh con lạ '%s' (import, list, show, check, export, set)\n"},
	{"gnbv: review %s: unknown option '%s'\n", "gnbv: review %s: tuỳ chọn lạ '%s'\n"},
	{"gnbv: review %s: unexpected argument '%s'\n", "gnbv: review %s: đối số thừa '%s'\n"},
	{"gnbv: review %s: --%s is required\n", "gnbv: review %s: cần --%s\n"},
	{"gnbv: review %s: --%s must be a number from %lld to %lld\n",
	 "gnbv: review %s: --%s phải là số từ %lld đến %lld\n"},
	{"gnbv: review %s: --%s must be YYYY-MM-DD\n", "gnbv: review %s: --%s phải theo dạng YYYY-MM-DD\n"},
	{"gnbv: review adhoc: request or decide\n", "gnbv: review adhoc: request (đề nghị) hoặc decide (quyết định)\n"},
	{"gnbv: review summary: --format text, csv or xlsx\n", "gnbv: review summary: --format là text, csv hoặc xlsx\n"},
	{"gnbv: review escape progress: --commune or --unit is required\n",
	 "gnbv: review escape progress: cần --commune hoặc --unit\n"},
	{"gnbv: review escape: mark, assign, support or progress\n",
	 "gnbv: review escape: mark, assign, support hoặc progress\n"},
	{"gnbv: review: unknown subcommand '%s'\n", "gnbv: review: lệnh con lạ '%s'\n"},
	{"gnbv: error: expected the password as one line on stdin\n",
	 "gnbv: error: cần mật khẩu trên một dòng ở đầu vào chuẩn (stdin)\n"},
	{"gnbv: error: no password read\n", "gnbv: error: chưa đọc được mật khẩu\n"},
	{"gnbv: error: the two passwords differ\n", "gnbv: error: hai lần nhập mật khẩu không khớp\n"},
	{"gnbv: error: --role: one of admin, office, commune, agency, finance, viewer\n",
	 "gnbv: error: --role: một trong admin, office, commune, agency, finance, viewer\n"},
	{"gnbv: unknown command '%s'\n", "gnbv: lệnh lạ '%s'\n"},
	{"gnbv: usage: gnbv %s %s\n", "gnbv: cách dùng: gnbv %s %s\n"},
	{"gnbv: unknown option '%s'\n", "gnbv: tuỳ chọn lạ '%s'\n"},
	{"%s exists: the demo builds a new database; remove it or give another --db",
	 "%s đã có: bản trình diễn tạo cơ sở dữ liệu mới; hãy xoá tệp đó hoặc chỉ --db khác"},
	{"%s: cannot create the demo folder", "%s: không tạo được thư mục trình diễn"},
	{"too many communes in %s", "quá nhiều xã trong %s"},
	{"%s: the generator's columns are missing", "%s: thiếu các cột của bộ sinh dữ liệu"},
	{"%s: fewer households than assessments", "%s: ít hộ hơn số kết quả phân loại"},
	{"%s: not an assessments.csv", "%s: không phải tệp assessments.csv"},
	{"the pool (%zu households, %llu poor) cannot give %llu poor of %llu",
	 "nguồn hộ (%zu hộ, %llu hộ nghèo) không cho được %llu hộ nghèo trong %llu"},
	{"this gnbv was built without the document writers", "bản gnbv này được dựng không có phần ghi văn bản"},
	{"%s is not built in", "%s không có sẵn"},
	{"no plan of unit %s proposes %d or reports on it", "chưa có kế hoạch nào của đơn vị %s đề xuất năm %d hay báo cáo về năm đó"},
	{"%s: cannot open", "%s: không mở được tệp"},
	{"%s: cannot create", "%s: không tạo được tệp"},
	{"%s: cannot rename", "%s: không đổi tên được tệp"},
	{"%s: too large", "%s: tệp quá lớn"},
	{"%s: write error", "%s: lỗi khi ghi tệp"},
	{"%s:%d: expected household_code,in_favour", "%s:%d: cần household_code,in_favour"},
	{"%s:%d: line longer than 510 bytes", "%s:%d: dòng dài quá 510 byte"},
	{"%s:%d: in_favour '%s' is not a number", "%s:%d: in_favour '%s' không phải một số"},

	/* the store: units (src/store/units.c) */
	{"%s:%ld:%d: column '%s': %s", "%s:%ld:%d: cột '%s': %s"},
	{"%s:1: column '%s': missing: a units file must have '%s'", "%s:1: cột '%s': thiếu: tệp đơn vị phải có cột '%s'"},
	{"%zu fields, but the header has %zu columns", "có %zu ô, nhưng dòng tiêu đề có %zu cột"},
	{"a unit with a successor must have a valid_to", "đơn vị có đơn vị kế thừa phải có valid_to (ngày hết hiệu lực)"},
	{"code '%s' names several units: give a date", "mã '%s' ứng với nhiều đơn vị: hãy chỉ một ngày"},
	{"empty: every unit needs its %s", "để trống: đơn vị nào cũng phải có %s"},
	{"expected a date YYYY-MM-DD; found '%s'", "cần ngày theo dạng YYYY-MM-DD; gặp '%s'"},
	{"expected flags separated by ';' from poor_district, extremely_difficult, coastal_extremely_difficult; found '%s'",
	 "cần các đặc điểm cách nhau bằng ';', lấy trong poor_district, extremely_difficult, "
	 "coastal_extremely_difficult; gặp '%s'"},
	{"expected province, district, commune or village; found '%s'",
	 "cần province (tỉnh), district (huyện), commune (xã) hoặc village (thôn); gặp '%s'"},
	{"expected urban or rural; found '%s'", "cần urban (thành thị) hoặc rural (nông thôn); gặp '%s'"},
	{"no unit '%s'", "không có đơn vị '%s'"},
	{"no unit '%s' valid on %s", "không có đơn vị '%s' còn hiệu lực ngày %s"},
	{"units: the tree is too deep", "đơn vị: cây đơn vị quá nhiều cấp"},
	{"units: unit '%s' is its own ancestor (a cycle of parent_code)",
	 "đơn vị: đơn vị '%s' là cấp trên của chính nó (parent_code quay vòng)"},
	{"units: unit '%s' is too deep in the tree", "đơn vị: đơn vị '%s' nằm quá sâu trong cây đơn vị"},
	{"valid_to %s is before valid_from %s", "valid_to %s trước valid_from %s"},

	/* the store: households and rounds (src/store/registry.c) */
	{"periodic", "định kỳ"},
	{"ad-hoc", "đột xuất"},
	{"province", "tỉnh"},
	{"district", "huyện"},
	{"commune", "xã"},
	{"village", "thôn"},
	{"count: class %d", "đếm: lớp %d"},
	{"household '%.*s' belongs to a unit outside your scope", "hộ '%.*s' thuộc một đơn vị ngoài phạm vi của bạn"},
	{"household '%.*s' has %zu members (1 to %d allowed)", "hộ '%.*s' có %zu thành viên (được từ 1 đến %d)"},
	{"household '%.*s': area is empty and its unit has no known area",
	 "hộ '%.*s': ô area để trống mà chưa biết khu vực của đơn vị"},
	{"household '%s' has %zu members (1 to %d allowed)", "hộ '%s' có %zu thành viên (được từ 1 đến %d)"},
	{"household '%s' has two members number %d", "hộ '%s' có hai thành viên cùng số %d"},
	{"household '%s', member %d: %s: %s", "hộ '%s', thành viên %d: %s: %s"},
	{"household '%s', member %d: birth_date '%.*s' is not YYYY-MM-DD or YYYY",
	 "hộ '%s', thành viên %d: birth_date '%.*s' không theo dạng YYYY-MM-DD hay YYYY"},
	{"household '%s': %s", "hộ '%s': %s"},
	{"household '%s': member numbers start at 1", "hộ '%s': số thứ tự thành viên bắt đầu từ 1"},
	{"household code: %s", "mã hộ: %s"},
	{"household code: empty", "mã hộ: để trống"},
	{"no household '%s' in the %s round", "không có hộ '%s' trong đợt rà soát %s"},
	{"round: an ad-hoc round needs its date (--as-of)", "đợt rà soát: đợt đột xuất cần ngày của nó (--as-of)"},
	{"round: the ad-hoc round's date must fall in %d", "đợt rà soát: ngày của đợt đột xuất phải thuộc năm %d"},
	{"round: the reference date %ld is not a date (yyyymmdd)",
	 "đợt rà soát: ngày tham chiếu %ld không phải một ngày (yyyymmdd)"},
	{"round: the reference date %s", "đợt rà soát: ngày tham chiếu %s"},
	{"round: the reference date of the %d round must fall in %d",
	 "đợt rà soát: ngày tham chiếu của đợt năm %d phải thuộc năm %d"},
	{"round: the year %d is not a year", "đợt rà soát: %d không phải một năm"},
	{"round: unknown kind %d", "đợt rà soát: loại lạ %d"},
	{"the %s round of %d in %s %s already has reference date %s and standard %s; this asks for %s and %s",
	 "đợt rà soát %s năm %d của %s %s đã có ngày tham chiếu %s và chuẩn %s; lần này yêu cầu %s và %s"},
	{"writer: batch of %zu households", "ghi: lô %zu hộ"},

	/* the store: accounts (src/store/accounts.c) */
	{"a %s user needs a unit (--unit CODE)", "tài khoản vai trò %s cần một đơn vị (--unit MÃ)"},
	{"adding a user needs a scope", "thêm tài khoản cần một phạm vi"},
	{"changing a user needs a scope", "sửa tài khoản cần một phạm vi"},
	{"listing users needs a scope", "liệt kê tài khoản cần một phạm vi"},
	{"no account state %d", "không có trạng thái tài khoản %d"},
	{"no role '%.32s'", "không có vai trò '%.32s'"},
	{"no session", "không có phiên làm việc"},
	{"no such user", "không có tài khoản này"},
	{"no unit '%.64s'", "không có đơn vị '%.64s'"},
	{"no user '%s'", "không có tài khoản '%s'"},
	{"out of memory hashing the password", "hết bộ nhớ khi băm mật khẩu"},
	{"the current password is wrong", "mật khẩu hiện tại không đúng"},
	{"the password is longer than %d bytes", "mật khẩu dài quá %d byte"},
	{"the password is not valid UTF-8", "mật khẩu không đúng mã UTF-8"},
	{"the password is one of the most common ones: choose another",
	 "mật khẩu nằm trong số mật khẩu phổ biến nhất: hãy chọn mật khẩu khác"},
	{"the password needs at least %d characters", "mật khẩu cần ít nhất %d ký tự"},
	{"the session has ended", "phiên làm việc đã kết thúc"},
	{"the session has expired", "phiên làm việc đã hết hạn"},
	{"the user's unit is gone", "đơn vị của tài khoản không còn"},
	{"the user's unit is too deep", "đơn vị của tài khoản nằm quá sâu trong cây đơn vị"},
	{"unknown role", "vai trò lạ"},
	{"user '%s' exists", "tài khoản '%s' đã có"},
	{"user '%s' has no unit", "tài khoản '%s' không có đơn vị"},
	{"user name '%.64s': 1 to %d letters, digits, '.', '_' or '-'",
	 "tên đăng nhập '%.64s': từ 1 đến %d ký tự, gồm chữ cái không dấu, chữ số, '.', '_' hoặc '-'"},
};

/* Linear: messages are formatted on the way out of a failure, a few per
 * run, never on the way through a file. */
const char *gnbv_msg_vi(const char *english);
const char *gnbv_msg_vi(const char *english)
{
	for (size_t i = 0; i < sizeof MSG_VI / sizeof MSG_VI[0]; i++)
		if (!strcmp(MSG_VI[i].en, english)) return MSG_VI[i].vi;
	return NULL;
}

const char *gnbv_msg_vi_entry(int i, const char **vietnamese)
{
	if (i < 0 || (size_t)i >= sizeof MSG_VI / sizeof MSG_VI[0]) return NULL;
	if (vietnamese) *vietnamese = MSG_VI[i].vi;
	return MSG_VI[i].en;
}
