package console

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// An action's form: its fields, each turned into the action's JSON body as the API takes it
// (the service decodes and checks it the same for both front doors).

// field is one input of an action's form.
type field struct {
	Name, Label string
	Kind        string // text, textarea, select, bool, number, date, list (comma-separated)
	Options     []option
	Required    bool
	Value       string   // what was typed, when the form is shown again after a refusal
	Error       string   // why the service refused what was typed here
	Checked     []string // a list's options ticked, when the form is shown again
}

type option struct{ Value, Label string }

// confirming are the actions that cannot be undone: their forms ask for confirmation — 销号
// always, 梳理 when it rejects the case (不予受理).
var confirming = map[string]bool{"close": true, "triage": true}

// needsConfirmation reports whether the posted form does what cannot be undone.
func needsConfirmation(name string, form url.Values) bool {
	switch name {
	case "close":
		return true
	case "triage":
		return form.Get("decision") == domain.DecisionReject
	}
	return false
}

// actionFields are the fields of each action's form, by action name.
func actionFields(name string, units []domain.Unit) []field {
	unitOptions := []option{{"", mustMsg("unset")}}
	for _, u := range units {
		if u.Responsible() {
			unitOptions = append(unitOptions, option{u.ID, u.Name})
		}
	}
	yesNo := []option{{"true", mustMsg("yes")}, {"false", mustMsg("no")}}
	switch name {
	case "triage":
		return []field{
			{Name: "decision", Label: "梳理结论", Kind: "select", Required: true, Options: []option{
				{domain.DecisionRefer, "转办"}, {domain.DecisionAnswer, "直接答复"}, {domain.DecisionReject, "不予受理"}}},
			{Name: "lead_unit", Label: "牵头单位", Kind: "select", Options: unitOptions},
			{Name: "office", Label: "牵头督查室", Kind: "select", Options: withUnset(domain.Offices)},
			{Name: "sla", Label: "办理时限类别", Kind: "select", Options: withUnset(domain.SLAs)},
			{Name: "note", Label: "梳理意见", Kind: "textarea"},
			{Name: "override_reason", Label: "改变规则建议的理由", Kind: "textarea"},
			{Name: "answer", Label: "答复内容（直接答复时）", Kind: "textarea"},
			{Name: "reason", Label: "不予受理的理由", Kind: "textarea"},
		}
	case "refer":
		return []field{
			{Name: "lead_unit", Label: "牵头单位", Kind: "select", Options: unitOptions},
			{Name: "co_units", Label: "协办单位（单位编号，逗号分隔）", Kind: "list"},
			{Name: "due_date", Label: "办理时限（不填按规定工作日）", Kind: "date"},
			{Name: "instructions", Label: "转办意见", Kind: "textarea"},
		}
	case "progress":
		return []field{{Name: "note", Label: "进展情况", Kind: "textarea", Required: true}}
	case "return":
		return []field{{Name: "grounds", Label: "退回理由", Kind: "textarea", Required: true}}
	case "complete":
		return []field{
			{Name: "outcome", Label: "办理结果", Kind: "select", Required: true, Options: sortedOptions(domain.Outcomes)},
			{Name: "report", Label: "办结报告", Kind: "textarea", Required: true},
		}
	case "extend":
		return []field{
			{Name: "days", Label: "延期工作日数", Kind: "number", Required: true},
			{Name: "reason", Label: "延期理由", Kind: "textarea", Required: true},
		}
	case "decide_extension":
		return []field{
			{Name: "approve", Label: "是否同意延期", Kind: "bool", Required: true, Options: yesNo},
			{Name: "note", Label: "审批意见", Kind: "textarea"},
		}
	case "callback":
		return []field{
			{Name: "solved", Label: "问题是否解决", Kind: "bool", Required: true, Options: yesNo},
			{Name: "satisfied", Label: "企业是否满意", Kind: "bool", Required: true, Options: yesNo},
			{Name: "note", Label: "回访记录", Kind: "textarea"},
		}
	case "close":
		return []field{{Name: "note", Label: "销号意见", Kind: "textarea"}}
	case "reopen":
		return []field{{Name: "reason", Label: "重新打开的理由", Kind: "textarea", Required: true}}
	case "comment":
		return []field{{Name: "text", Label: "备注", Kind: "textarea", Required: true}}
	case "urge":
		return []field{{Name: "note", Label: "催办意见", Kind: "textarea", Required: true}}
	case "card":
		return []field{
			{Name: "level", Label: "督办牌", Kind: "select", Required: true, Options: []option{{domain.CardYellow, "黄牌"}, {domain.CardRed, "红牌"}}},
			{Name: "reason", Label: "亮牌理由", Kind: "textarea", Required: true},
		}
	case "merge":
		return []field{
			{Name: "child_ids", Label: "并入本案的案件（勾选待梳理的同类案件，或填写其他案件编号，逗号分隔）", Kind: "list", Required: true},
			{Name: "note", Label: "并案说明", Kind: "textarea"},
		}
	case "decide_appeal":
		return []field{
			{Name: "accept", Label: "是否采纳申诉", Kind: "bool", Required: true, Options: yesNo},
			{Name: "note", Label: "裁决意见", Kind: "textarea"},
		}
	case "appeal":
		return []field{
			{Name: "reason", Label: "申诉理由", Kind: "textarea", Required: true},
			{Name: "items", Label: "申诉事项（逗号分隔：" + strings.Join(sortedKeys(domain.AppealItems), "、") + "）", Kind: "list", Required: true},
		}
	}
	return nil // sign: no fields
}

func withUnset(m map[string]string) []option {
	return append([]option{{"", mustMsg("unset")}}, sortedOptions(m)...)
}

func sortedOptions(m map[string]string) []option {
	var out []option
	for _, k := range sortedKeys(m) {
		out = append(out, option{k, m[k]})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// body is the action's JSON body from the posted form: a field left empty is left out (the
// action's default), a number a number, yes/no a boolean, a list a list.
func body(fields []field, form url.Values) ([]byte, error) {
	out := map[string]any{}
	for _, f := range fields {
		v := strings.TrimSpace(strings.Join(form[f.Name], ""))
		if v == "" {
			continue
		}
		switch f.Kind {
		case "number":
			n, err := strconv.Atoi(v)
			if err != nil {
				out[f.Name] = v // the service says what is wrong with it
				continue
			}
			out[f.Name] = n
		case "bool":
			out[f.Name] = v == "true"
		case "list": // typed, comma-separated, and ticked (each box a value of the same name)
			var items []string
			for _, typed := range form[f.Name] {
				for _, s := range strings.FieldsFunc(typed, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
					if !slices.Contains(items, s) {
						items = append(items, s)
					}
				}
			}
			out[f.Name] = items
		default:
			out[f.Name] = v
		}
	}
	return json.Marshal(out)
}

// names are the fields' names (the inputs a refusal may be placed beside).
func names(fields []field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// refill shows what was typed in the form again, and what was ticked: a list's boxes come
// before its typed input in the form, so the browser sends the ticked values first and
// the typed text last.
func refill(fields []field, form url.Values) []field {
	for i := range fields {
		f := &fields[i]
		f.Value = form.Get(f.Name)
		if vs := form[f.Name]; f.Kind == "list" && len(vs) > 0 {
			f.Checked, f.Value = vs[:len(vs)-1], vs[len(vs)-1]
		}
	}
	return fields
}
