package rules

import (
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// The three objects a rule reads are declared to CEL by hand rather than by reflection:
// every field's value is converted to a CEL value once per evaluation, and reading it in
// a rule is a slice index. This keeps routing a case with 50 rules in a few microseconds.

// objectType describes one of `case`, `enterprise`, `history`.
type objectType struct {
	name   string
	fields []fieldDef
	index  map[string]int
}

type fieldDef struct {
	name string
	typ  *types.Type
	get  func(*Input) ref.Val
	// The field as Go reads it, for the conditions compiled to Go (native.go): the one
	// its type has, or none.
	s func(*Input) string
	b func(*Input) bool
	i func(*Input) int64
	d func(*Input) float64
	m func(*Input) map[string]int64
}

// object is a value of an objectType. Its fields are converted to CEL values the first
// time a rule reads them, and kept for the other rules.
type object struct {
	typ  *objectType
	in   *Input
	vals []ref.Val
}

func (o *object) field(i int) ref.Val {
	v := o.vals[i]
	if v == nil {
		v = o.typ.fields[i].get(o.in)
		o.vals[i] = v
	}
	return v
}

func newObjectType(name string, fields ...fieldDef) *objectType {
	t := &objectType{name: name, fields: fields, index: map[string]int{}}
	for i, f := range fields {
		t.index[f.name] = i
	}
	return t
}

func str(name string, get func(*Input) string) fieldDef {
	return fieldDef{name: name, typ: types.StringType, get: func(in *Input) ref.Val { return types.String(get(in)) }, s: get}
}

func boolean(name string, get func(*Input) bool) fieldDef {
	return fieldDef{name: name, typ: types.BoolType, get: func(in *Input) ref.Val { return types.Bool(get(in)) }, b: get}
}

func integer(name string, get func(*Input) int64) fieldDef {
	return fieldDef{name: name, typ: types.IntType, get: func(in *Input) ref.Val { return types.Int(get(in)) }, i: get}
}

func double(name string, get func(*Input) float64) fieldDef {
	return fieldDef{name: name, typ: types.DoubleType, get: func(in *Input) ref.Val { return types.Double(get(in)) }, d: get}
}

func countMap(name string, get func(*Input) map[string]int64) fieldDef {
	return fieldDef{name: name, typ: types.NewMapType(types.StringType, types.IntType), get: func(in *Input) ref.Val {
		m := get(in)
		if m == nil {
			m = map[string]int64{}
		}
		return adapter.NativeToValue(m)
	}, m: get}
}

var (
	caseType = newObjectType("rules.Case",
		str("category", func(in *Input) string { return in.Case.Category }),
		str("list", func(in *Input) string { return in.Case.List }),
		str("scope", func(in *Input) string { return in.Case.Scope }),
		str("title", func(in *Input) string { return in.Case.Title }),
		str("description", func(in *Input) string { return in.Case.Description }),
		double("amount_cny", func(in *Input) float64 { return in.Case.AmountCNY }),
		boolean("sensitive", func(in *Input) bool { return in.Case.Sensitive }),
		fieldDef{name: "tags", typ: types.NewListType(types.StringType), get: func(in *Input) ref.Val {
			tags := in.Case.Tags
			if tags == nil {
				tags = []string{}
			}
			return types.NewStringList(adapter, tags)
		}},
		fieldDef{name: "created_at", typ: types.TimestampType, get: func(in *Input) ref.Val { return types.Timestamp{Time: in.Case.CreatedAt} }})
	enterpriseType = newObjectType("rules.Enterprise",
		str("id", func(in *Input) string { return in.Enterprise.ID }),
		str("name", func(in *Input) string { return in.Enterprise.Name }),
		str("county", func(in *Input) string { return in.Enterprise.County }),
		str("industry_chain", func(in *Input) string { return in.Enterprise.IndustryChain }),
		str("member_kind", func(in *Input) string { return in.Enterprise.MemberKind }),
		str("size", func(in *Input) string { return in.Enterprise.Size }),
		boolean("is_key", func(in *Input) bool { return in.Enterprise.IsKey }))
	historyType = newObjectType("rules.History",
		countMap("open_by_category", func(in *Input) map[string]int64 { return in.History.OpenByCategory }),
		countMap("past_by_category", func(in *Input) map[string]int64 { return in.History.PastByCategory }),
		integer("county_open_same_category", func(in *Input) int64 { return in.History.CountyOpenSameCategory }),
		integer("county_enterprises_same_category", func(in *Input) int64 { return in.History.CountyEnterprisesSameCategory }))
	objectTypes = map[string]*objectType{caseType.name: caseType, enterpriseType.name: enterpriseType, historyType.name: historyType}
	// variables are the objects by the names rules call them.
	variables = map[string]*objectType{"case": caseType, "enterprise": enterpriseType, "history": historyType}
)

// provider answers for the three object types and leaves everything else to base.
type provider struct {
	types.Provider
}

func (p provider) FindStructType(name string) (*types.Type, bool) {
	if _, ok := objectTypes[name]; ok {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return p.Provider.FindStructType(name)
}

func (p provider) FindStructFieldNames(name string) ([]string, bool) {
	t, ok := objectTypes[name]
	if !ok {
		return p.Provider.FindStructFieldNames(name)
	}
	names := make([]string, len(t.fields))
	for i, f := range t.fields {
		names[i] = f.name
	}
	return names, true
}

func (p provider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	t, ok := objectTypes[name]
	if !ok {
		return p.Provider.FindStructFieldType(name, field)
	}
	i, ok := t.index[field]
	if !ok {
		return nil, false
	}
	return &types.FieldType{
		Type:    t.fields[i].typ,
		IsSet:   func(any) bool { return true },
		GetFrom: func(obj any) (any, error) { return obj.(*object).field(i), nil },
	}, true
}

// NewValue refuses to build the objects inside a rule: rules only read them.
func (p provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if _, ok := objectTypes[name]; ok {
		return types.NewErr("rules cannot create %s values", name)
	}
	return p.Provider.NewValue(name, fields)
}

var adapter = types.DefaultTypeAdapter
