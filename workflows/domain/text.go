package domain

import (
	"fmt"
	"unicode/utf8"
)

// TextProblem says what is wrong with a text a person typed, or "" when it is fine: invalid
// UTF-8, U+0000 or another control character (tab and newline are allowed), and — for
// titles, names and ids, which are shown on one line — bidirectional overrides that can make
// a text read differently from what it says (U+202A–U+202E, U+2066–U+2069). It is the one
// check of every text caseflow stores: what it lets through, the read model can hold.
func TextProblem(v string, oneLine bool) string {
	if !utf8.ValidString(v) {
		return "含有无效的 UTF-8 编码 (invalid UTF-8)"
	}
	for i, r := range v {
		switch {
		case r == '\t' || r == '\n':
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("第 %d 字节处含有控制字符 U+%04X (control character at byte %d)", i, r, i)
		case r == utf8.RuneError:
			return "含有无效字符 U+FFFD (replacement character: the text was not valid Unicode)"
		case oneLine && (r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069):
			return fmt.Sprintf("含有文字方向控制符 U+%04X (bidirectional override)", r)
		}
	}
	return ""
}

// LineProblem is TextProblem for a one-line text of at most maxRunes characters: it also
// refuses newlines and tabs, and a text that is too long.
func LineProblem(v string, maxRunes int) string {
	if p := TextProblem(v, true); p != "" {
		return p
	}
	for _, r := range v {
		if r == '\n' || r == '\t' {
			return "不能包含换行或制表符 (must be one line)"
		}
	}
	if utf8.RuneCountInString(v) > maxRunes {
		return fmt.Sprintf("不能超过 %d 字 (too long)", maxRunes)
	}
	return ""
}

// RedactedText stands in for a sensitive text wherever a reader may not read it: a case, its
// timeline, a visit, the ledger, an enterprise's file and the report's attachments.
const RedactedText = "（涉及企业敏感信息，已隐去）"
