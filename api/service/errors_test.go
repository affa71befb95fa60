package service

import (
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/workflows"
)

func TestARefusalNamesTheFieldAFormShowsItBeside(t *testing.T) {
	for _, c := range []struct {
		err         error
		field, text string
	}{
		{invalid("title: 必填 (required)"), "title", "必填 (required)"},
		{invalid("problems[2].category: \"x\" 无效"), "problems[2].category", "\"x\" 无效"},
		{invalid("measures[0].due_date: 应为 YYYY-MM-DD (a date)"), "measures[0].due_date", "应为 YYYY-MM-DD (a date)"},
		// A workflow's refusal, as the Update answers it.
		{temporal.NewApplicationErrorWithOptions("lead_unit: 必填 (required)", workflows.ErrInvalidInput,
			temporal.ApplicationErrorOptions{NonRetryable: true}), "lead_unit", "必填 (required)"},
		// Two fields, or none: the whole message, above the form.
		{invalid("investment_leads, problems: 每次走访各最多 50 条"), "", "investment_leads, problems: 每次走访各最多 50 条"},
		{invalid("请输入用户名和密码 (username and password are required)"), "", "请输入用户名和密码 (username and password are required)"},
		// Not a refusal of content: never placed on a field.
		{newError(Conflict, "invalid_transition", "status: closed"), "", "status: closed"},
	} {
		field, text := Classify(c.err).Field()
		if field != c.field || text != c.text {
			t.Errorf("%v: field %q text %q, want %q %q", c.err, field, text, c.field, c.text)
		}
	}
}
