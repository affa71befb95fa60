package console

import (
	"strings"

	"github.com/putian-fic/caseflow/api/service"
)

// refusal is why a form was refused, as its page shows it: beside the input it is about
// (the service names the field, service.Error.Field), and a line above the form.
type refusal struct {
	Text   string            // above the form
	Fields map[string]string // beside each input, by the input's name
}

// noRefusal is a form shown for the first time.
var noRefusal = refusal{}

// said is a refusal the console itself words (above the form).
func said(text string) refusal { return refusal{Text: text} }

// refused places e: input maps the field the service names to the form's input ("" when
// the form has none — the message then stands above the form, whole).
func refused(e *service.Error, input func(field string) string) refusal {
	field, text := e.Field()
	if field == "" {
		return refusal{Text: e.Message}
	}
	name := input(field)
	if name == "" {
		return refusal{Text: e.Message}
	}
	return refusal{Text: mustMsg("form.fix"), Fields: map[string]string{name: text}}
}

// inputs maps a field to the input of the same name, when the form has one: "co_units" to
// co_units, "measures[2].title" to measures when the form's input is measures.
func inputs(names ...string) func(string) string {
	return func(field string) string {
		root, _, _ := strings.Cut(field, ".")
		root, _, _ = strings.Cut(root, "[")
		for _, n := range names {
			if n == root {
				return n
			}
		}
		return ""
	}
}

// show puts the refusal on the page.
func (r refusal) show(p *page) { p.Error, p.Fields = r.Text, r.Fields }
