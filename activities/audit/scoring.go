package audit

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"gopkg.in/yaml.v3"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// A scoring scheme (考评方案) gives a unit's score as the sum of items, each a CEL expression
// over the unit's figures, m (m.on_time_rate, m.cards.yellow …). Examples in the scheme are
// checked when it is loaded: a scheme whose examples do not hold is refused.

// DefaultScheme is the scheme that ships: 100 points for a unit that signs for, completes
// and satisfies every case on time, less deductions for cards.
const DefaultScheme = `# caseflow 默认考评方案 (the default scoring scheme)
items:
  - id: on_time
    name: 按时办结率
    points: m.on_time_rate * 40.0
  - id: satisfied
    name: 满意率
    points: m.satisfied_rate * 30.0
  - id: signed_on_time
    name: 及时签收率
    points: m.sign_on_time_rate * 10.0
  - id: solved
    name: 解决率
    points: m.solved_rate * 10.0
  - id: few_returns
    name: 回退率
    points: (1.0 - m.return_rate) * 5.0
  - id: few_redos
    name: 重办率
    points: (1.0 - m.redo_rate) * 5.0
  - id: yellow_cards
    name: 黄牌扣分
    points: -2.0 * double(m.cards.yellow)
  - id: red_cards
    name: 红牌扣分
    points: -5.0 * double(m.cards.red)
examples:
  - figures: {on_time_rate: 1.0, satisfied_rate: 1.0, sign_on_time_rate: 1.0, solved_rate: 1.0, return_rate: 0.0, redo_rate: 0.0, cards: {yellow: 0, red: 0}}
    score: 100
  - figures: {on_time_rate: 0.5, satisfied_rate: 0.5, sign_on_time_rate: 1.0, solved_rate: 1.0, return_rate: 0.0, redo_rate: 0.0, cards: {yellow: 1, red: 1}}
    score: 58
`

// Problem is one thing wrong with a scheme, where it is in the file.
type Problem struct {
	Item    string `json:"item"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// SchemeError lists everything wrong with a scheme that was refused.
type SchemeError struct{ Problems []Problem }

func (e *SchemeError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = fmt.Sprintf("%d:%d: item %q: %s", p.Line, p.Column, p.Item, p.Message)
	}
	return "scoring: invalid scheme: " + strings.Join(msgs, "; ")
}

// Scheme is a loaded scoring scheme.
type Scheme struct {
	Items []Item
}

// Item is one scored item.
type Item struct {
	ID, Name, Points string
	// Figures are the lists of Unit.Cases behind the item: those of every figure its
	// expression reads (CasesBehind), so that each item shows the cases it was scored on.
	Figures []string
	prog    cel.Program
}

// ItemError is an item that could not be computed for a unit's figures (a division by
// zero, an overflow, not a number): the unit's score fails, naming the item and why.
type ItemError struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
}

func (e *ItemError) Error() string { return e.Item + ": " + e.Reason }

// ItemScore is one item's points for a unit.
type ItemScore struct {
	Item   string  `json:"item"`
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	// Figures: the item's Figures (the lists of cases behind it).
	Figures []string `json:"-"`
}

var schemeEnv = func() *cel.Env {
	env, err := cel.NewEnv(cel.Variable("m", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		panic(err)
	}
	return env
}()

// MaxSchemeItems bounds a scheme.
const MaxSchemeItems = 50

// LoadScheme reads and checks a scheme being uploaded: every item compiles to a number
// and scores the edge figures, texts are as people's texts must be, ids are unique, and
// every example's figures give its score (within 0.01).
func LoadScheme(src []byte) (*Scheme, error) { return loadScheme(src, true) }

// ReadScheme reads a scheme stored earlier, which was checked when it was uploaded: a
// scheme that a later, stricter LoadScheme would refuse still scores every unit it can
// (the others answer their ItemError), rather than stopping the audit for everyone.
func ReadScheme(src []byte) (*Scheme, error) { return loadScheme(src, false) }

func loadScheme(src []byte, strict bool) (*Scheme, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &SchemeError{[]Problem{{Message: "YAML: " + err.Error()}}}
	}
	var problems []Problem
	bad := func(item string, n *yaml.Node, format string, args ...any) {
		p := Problem{Item: item, Message: fmt.Sprintf(format, args...)}
		if n != nil {
			p.Line, p.Column = n.Line, n.Column
		}
		problems = append(problems, p)
	}
	var raw struct {
		Items []struct {
			ID     string `yaml:"id"`
			Name   string `yaml:"name"`
			Points string `yaml:"points"`
		} `yaml:"items"`
		Examples []struct {
			Figures map[string]any `yaml:"figures"`
			Score   float64        `yaml:"score"`
		} `yaml:"examples"`
	}
	if len(doc.Content) == 0 {
		return nil, &SchemeError{[]Problem{{Message: "空方案 (the scheme is empty)"}}}
	}
	if err := doc.Content[0].Decode(&raw); err != nil {
		return nil, &SchemeError{[]Problem{{Message: "YAML: " + err.Error()}}}
	}
	// The item nodes, for positions.
	var itemNodes []*yaml.Node
	root := doc.Content[0]
	for i := 0; root.Kind == yaml.MappingNode && i+1 < len(root.Content); i += 2 {
		switch k := root.Content[i]; k.Value {
		case "items":
			itemNodes = root.Content[i+1].Content
		case "examples":
		default:
			bad("", k, "未知字段 %q (unknown field; allowed: items, examples)", k.Value)
		}
	}
	if len(raw.Items) == 0 || len(raw.Items) > MaxSchemeItems {
		bad("", root, "应有 1 到 %d 个考评项 (1 to %d items)", MaxSchemeItems, MaxSchemeItems)
	}
	s := &Scheme{}
	seen := map[string]bool{}
	for i, it := range raw.Items {
		n := itemNodes[i]
		pointsNode := n
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == "points" {
				pointsNode = n.Content[j+1]
			}
		}
		for _, t := range []struct {
			field, v string
			max      int
		}{{"id", it.ID, 100}, {"name", it.Name, 200}} {
			if p := domain.LineProblem(t.v, t.max); p != "" {
				bad(it.ID, n, "%s: %s", t.field, p)
			}
		}
		if p := domain.TextProblem(it.Points, false); p != "" {
			bad(it.ID, pointsNode, "points: %s", p)
			continue
		}
		switch {
		case it.ID == "":
			bad(it.ID, n, "缺少 id (id is required)")
			continue
		case seen[it.ID]:
			bad(it.ID, n, "id 重复 (duplicate id)")
			continue
		case strings.TrimSpace(it.Points) == "":
			bad(it.ID, n, "缺少 points 表达式 (points is required)")
			continue
		}
		seen[it.ID] = true
		ast, iss := schemeEnv.Compile(it.Points)
		if iss.Err() != nil {
			bad(it.ID, pointsNode, "CEL: %v", iss.Err())
			continue
		}
		if t := ast.OutputType(); !t.IsExactType(cel.DoubleType) && !t.IsExactType(cel.IntType) && !t.IsExactType(cel.DynType) {
			bad(it.ID, pointsNode, "points 应为数值，而不是 %v (must give a number)", t)
			continue
		}
		prog, err := schemeEnv.Program(ast, cel.CostLimit(10_000))
		if err != nil {
			bad(it.ID, pointsNode, "CEL: %v", err)
			continue
		}
		// Every unit is scored, one with nothing counted too, one with one case, one with
		// very many: an item that names a figure that does not exist, divides by zero,
		// overflows or gives no number for such figures is refused now, not when read.
		item := Item{ID: it.ID, Name: it.Name, Points: it.Points, Figures: figuresRead(ast), prog: prog}
		if f, err := (&Scheme{Items: []Item{item}}).failsOnEdges(); strict && err != nil {
			bad(it.ID, pointsNode, "%s (figures %s)", err.(*ItemError).Reason, f)
			continue
		}
		s.Items = append(s.Items, item)
	}
	if len(problems) == 0 && strict {
		for i, ex := range raw.Examples {
			total, items, err := s.score(ex.Figures)
			if err != nil {
				bad("", root, "示例 %d：%v (example %d fails)", i+1, err, i+1)
				continue
			}
			if math.Abs(total-ex.Score) > 0.01 {
				bad("", root, "示例 %d 应得 %.2f 分，实得 %.2f 分 %v (example %d does not hold)", i+1, ex.Score, total, items, i+1)
			}
		}
	}
	if len(problems) > 0 {
		return nil, &SchemeError{problems}
	}
	return s, nil
}

// edgeFigures are the figures a scheme must score at upload: every count 0, 1, 2, 3 and
// very large, every rate 0, ½ and 1, and counts that all differ — where a division by
// (received - 2) or an overflow shows itself.
func edgeFigures() []map[string]any {
	var out []map[string]any
	for _, n := range []float64{0, 1, 2, 3, 1e6, 1e9} {
		for _, rate := range []float64{0, 0.5, 1} {
			out = append(out, figuresWith(func(int) float64 { return n }, rate))
		}
	}
	for _, step := range []float64{1, 7} {
		out = append(out, figuresWith(func(i int) float64 { return float64(i+1) * step }, 0.25))
	}
	return out
}

// figuresWith is Figures as the scheme reads them (m, decoded from JSON as in Score), with the i-th count count(i) and
// every rate rate.
func figuresWith(count func(i int) float64, rate float64) map[string]any {
	raw, _ := json.Marshal(Figures{})
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	i := 0
	var fill func(m map[string]any)
	fill = func(m map[string]any) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			switch v := m[k].(type) {
			case map[string]any:
				fill(v)
			case float64:
				if strings.HasSuffix(k, "_rate") {
					m[k] = rate
				} else {
					m[k] = count(i) // a number, as Score gives it (JSON's)
				}
				i++
			}
		}
	}
	fill(m)
	return m
}

// failsOnEdges scores every edge figure set; the first that fails is returned, shown as
// JSON, with its error.
func (s *Scheme) failsOnEdges() (string, error) {
	for _, m := range edgeFigures() {
		if _, _, err := s.score(m); err != nil {
			raw, _ := json.Marshal(m)
			return string(raw), err
		}
	}
	return "", nil
}

// Score is a unit's score: the sum of the items' points, each rounded to 0.01.
func (s *Scheme) Score(f Figures) (float64, []ItemScore, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return 0, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, nil, err
	}
	return s.score(m)
}

func (s *Scheme) score(m map[string]any) (float64, []ItemScore, error) {
	total := 0.0
	items := make([]ItemScore, 0, len(s.Items))
	for _, it := range s.Items {
		out, _, err := it.prog.Eval(map[string]any{"m": m})
		if err != nil {
			return 0, nil, &ItemError{it.ID, err.Error()}
		}
		var p float64
		switch v := out.Value().(type) {
		case float64:
			p = v
		case int64:
			p = float64(v)
		default:
			return 0, nil, &ItemError{it.ID, fmt.Sprintf("得到 %v，不是数值 (not a number)", out.Value())}
		}
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return 0, nil, &ItemError{it.ID, "不是有效数值 (not a finite number)"}
		}
		p = math.Round(p*100) / 100
		total += p
		items = append(items, ItemScore{Item: it.ID, Name: it.Name, Points: p, Figures: it.Figures})
	}
	return math.Round(total*100) / 100, items, nil
}

// figuresRead lists the lists of cases behind the figures an item's expression reads:
// every m.a (or m.a.b, m["a"]) it selects, the longest path where one extends another.
func figuresRead(a *cel.Ast) []string {
	var paths []string
	var path func(e celast.Expr) (string, bool)
	path = func(e celast.Expr) (string, bool) {
		switch e.Kind() {
		case celast.IdentKind:
			return "", e.AsIdent() == "m"
		case celast.SelectKind:
			p, ok := path(e.AsSelect().Operand())
			return strings.TrimPrefix(p+"."+e.AsSelect().FieldName(), "."), ok
		case celast.CallKind:
			if c := e.AsCall(); c.FunctionName() == operators.Index && len(c.Args()) == 2 && c.Args()[1].Kind() == celast.LiteralKind {
				if key, isString := c.Args()[1].AsLiteral().Value().(string); isString {
					p, ok := path(c.Args()[0])
					return strings.TrimPrefix(p+"."+key, "."), ok
				}
			}
		}
		return "", false
	}
	celast.PreOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if p, ok := path(e); ok && p != "" {
			paths = append(paths, p)
		}
	}))
	var out []string
	for _, p := range paths {
		if !slices.ContainsFunc(paths, func(q string) bool { return strings.HasPrefix(q, p+".") }) {
			out = append(out, CasesBehind[p]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Rank orders scores from the highest; equal scores share a rank (1, 2, 2, 4).
func Rank(scores []float64) []int {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	ranks := make([]int, len(scores))
	for pos, i := range order {
		if pos > 0 && scores[i] == scores[order[pos-1]] {
			ranks[i] = ranks[order[pos-1]]
		} else {
			ranks[i] = pos + 1
		}
	}
	return ranks
}
