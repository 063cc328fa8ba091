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
