package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// demoKinds are how many demo enterprises of each member kind there are, beside the twelve
// of DemoEnterprises: enough for leader1 to meet every linking minimum and leader2 to fall
// two out-of-town chambers short, without sharing any.
var demoKinds = []struct {
	kind string
	n    int
}{{domain.MemberChamber, 16}, {domain.MemberViceChair, 18}, {domain.MemberRemoteChamber, 37}, {domain.MemberStandingMember, 100}, {"", 17}}

var (
	demoCities   = []string{"北京", "广州", "深圳", "天津", "重庆", "杭州", "南京", "苏州", "武汉", "成都", "西安", "长沙", "郑州", "合肥", "南昌", "昆明", "贵阳", "南宁", "海口", "沈阳", "长春", "哈尔滨", "石家庄", "太原", "济南", "青岛", "厦门", "福州", "泉州", "宁波", "温州", "无锡", "东莞", "佛山", "兰州", "乌鲁木齐", "香港", "澳门", "台北"}
	demoTrades   = []string{"鞋业", "工艺", "食品", "电子", "新材料", "物流", "医疗器械", "家具", "纺织", "机械", "文旅", "建材"}
	demoPlaces   = []string{"城厢", "涵江", "荔城", "秀屿", "仙游", "湄洲", "北岸", "华林", "木兰", "壶公"}
	demoCounties = []string{"chengxiang", "hanjiang", "licheng", "xiuyu", "xianyou", "meizhou-island", "beian", "high-tech-zone"}
)

// DemoVisitingEnterprises are the 188 enterprises and chambers the demo adds for the
// visiting side (ent-013 … ent-200).
func DemoVisitingEnterprises() []domain.Enterprise {
	var out []domain.Enterprise
	seen := map[string]bool{}
	for _, e := range DemoEnterprises {
		seen[e.Name] = true
	}
	n := len(DemoEnterprises)
	for _, k := range demoKinds {
		for i := range k.n {
			n++
			e := domain.Enterprise{ID: fmt.Sprintf("ent-%03d", n), County: demoCounties[n%len(demoCounties)],
				IndustryChain: demoTrades[n%len(demoTrades)], MemberKind: k.kind,
				ContactName: "联系人" + fmt.Sprint(n), ContactPhone: fmt.Sprintf("139%08d", n)}
			place, trade := demoPlaces[n%len(demoPlaces)], demoTrades[(n/len(demoPlaces))%len(demoTrades)]
			switch k.kind {
			case domain.MemberChamber:
				e.Name = fmt.Sprintf("%s区%s商会", place, trade)
				if i%2 == 1 {
					e.Name = fmt.Sprintf("莆田市%s%s行业协会", place, trade)
				}
			case domain.MemberRemoteChamber:
				e.Name = demoCities[i%len(demoCities)] + "莆田商会"
			default:
				e.Name = fmt.Sprintf("莆田市%s%s%s有限公司", place, []string{"兴", "华", "鑫", "恒", "盛", "源", "达", "丰"}[n%8], trade)
				e.Size = []string{"large", "medium", "small", "micro"}[n%4]
				e.IsKey = n%5 == 0
			}
			if k.kind == domain.MemberRemoteChamber {
				e.County = "chengxiang"
			}
			for j := 2; seen[e.Name]; j++ { // names are unique: imports match by name
				e.Name = fmt.Sprintf("%s（%d）", e.Name, j)
			}
			seen[e.Name] = true
			out = append(out, e)
		}
	}
	return out
}

// SeedDemoVisiting loads the demo's visiting side for year: the 188 more enterprises,
// leader1's and leader2's links (leader1 meets every minimum; leader2 is two out-of-town
// chambers short) and their visits from 1 January to today, most linked enterprises once a
// quarter, some not. It changes nothing once leader1 has links for the year. The links are
// written last: a seeding cut short (a first start stopped half-way) has none, and the next
// one logs the rest of the visits — each under a key naming its leader, quarter and group,
// which answers the visit already logged.
func (s *Store) SeedDemoVisiting(ctx context.Context, today time.Time) error {
	year := today.In(domain.Shanghai).Year()
	if links, err := s.LeaderLinks(ctx, "leader1", year); err != nil || len(links) > 0 {
		return err
	}
	extra := DemoVisitingEnterprises()
	for _, e := range extra {
		if err := s.UpsertEnterprise(ctx, e); err != nil {
			return err
		}
	}
	byKind := map[string][]string{}
	for _, e := range append(append([]domain.Enterprise{}, DemoEnterprises...), extra...) {
		byKind[e.MemberKind] = append(byKind[e.MemberKind], e.ID)
	}
	links := map[string][]string{}
	for _, kind := range slices.Sorted(maps.Keys(domain.LinkMinimums)) { // the same links on every run
		least := domain.LinkMinimums[kind]
		ids := byKind[kind]
		links["leader1"] = append(links["leader1"], ids[:least]...)
		short := least
		if kind == domain.MemberRemoteChamber {
			short -= 2
		}
		links["leader2"] = append(links["leader2"], ids[least:least+short]...)
	}
	// Visits: each quarter up to today, each leader visits their linked enterprises in
	// groups of five, skipping a few each quarter.
	for q := 1; q <= 4; q++ {
		start := time.Date(year, time.Month(3*q-2), 1, 10, 0, 0, 0, domain.Shanghai)
		if start.After(today) {
			break
		}
		for li, leader := range []string{"leader1", "leader2"} {
			ids := links[leader]
			for g := 0; g*5 < len(ids); g++ {
				if (g+q+li)%7 == 0 {
					continue // not visited this quarter
				}
				day := start.AddDate(0, 0, (g*3+li)%85)
				if day.After(today) {
					continue
				}
				group := ids[g*5 : min(len(ids), g*5+5)]
				v := domain.Visit{Date: day.Format(domain.DateLayout), Leaders: []string{leader}, EnterpriseIDs: group,
					Method: []string{"onsite", "symposium", "field_office", "online"}[(q+li+g)%4],
					Topics: []string{"policy", "opinions", "facts"}, Notes: "走访挂钩联系企业，宣讲政策、听取意见（演示数据）",
					CreatedBy: leader}
				// Without problems, a visit has no cases to start: it is complete once written.
				key := fmt.Sprintf("demo-visit-%d-%s-q%d-g%d", year, leader, q, g)
				v, _, err := s.CreateVisit(ctx, year, v, key, []byte(`{}`), "")
				if err != nil {
					return err
				}
				if err := s.CompleteVisit(ctx, v.ID); err != nil {
					return err
				}
			}
		}
	}
	for _, leader := range []string{"leader1", "leader2"} {
		if err := s.SetLeaderLinks(ctx, leader, year, links[leader], "demo"); err != nil {
			return err
		}
	}
	return nil
}
