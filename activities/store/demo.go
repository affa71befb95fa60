package store

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// DemoPassword is every demo user's password.
const DemoPassword = "demo"

// PutianUnits are Putian's responsible units and the two supervision offices, with stable IDs
// (the demo seeds them; `caseflow unit create --putian` adds them to a production database).
var PutianUnits = []domain.Unit{
	{ID: "chengxiang", Name: "城厢区", Kind: domain.UnitCounty},
	{ID: "hanjiang", Name: "涵江区", Kind: domain.UnitCounty},
	{ID: "licheng", Name: "荔城区", Kind: domain.UnitCounty},
	{ID: "xiuyu", Name: "秀屿区", Kind: domain.UnitCounty},
	{ID: "xianyou", Name: "仙游县", Kind: domain.UnitCounty},
	{ID: "meizhou-island", Name: "湄洲岛管委会", Kind: domain.UnitAdminCommittee},
	{ID: "beian", Name: "湄洲湾北岸管委会", Kind: domain.UnitAdminCommittee},
	{ID: "high-tech-zone", Name: "高新区管委会", Kind: domain.UnitAdminCommittee},
	{ID: "natural-resources", Name: "自然资源局", Kind: domain.UnitDepartment},
	{ID: "housing-construction", Name: "住建局", Kind: domain.UnitDepartment},
	{ID: "fire-rescue", Name: "消防救援支队", Kind: domain.UnitDepartment},
	{ID: "human-resources", Name: "人社局", Kind: domain.UnitDepartment},
	{ID: "power-supply", Name: "供电公司", Kind: domain.UnitDepartment},
	{ID: "finance-office", Name: "金融办", Kind: domain.UnitDepartment},
	{ID: "development-reform", Name: "发改委", Kind: domain.UnitDepartment},
	{ID: "commerce", Name: "商务局", Kind: domain.UnitDepartment},
	{ID: "industry-it", Name: "工信局", Kind: domain.UnitDepartment},
	{ID: "market-regulation", Name: "市场监管局", Kind: domain.UnitDepartment},
	{ID: domain.OfficeParty, Name: "市委督查室", Kind: domain.UnitOffice},
	{ID: domain.OfficeGovernment, Name: "市政府督查室", Kind: domain.UnitOffice},
}

// DemoEnterprises are a dozen fictitious enterprises and chambers across the counties.
var DemoEnterprises = []domain.Enterprise{
	{ID: "ent-001", Name: "莆田市华兴鞋业有限公司", County: "licheng", IndustryChain: "鞋服", MemberKind: "standing_member", Size: "large", IsKey: true, ContactName: "林建华", ContactPhone: "13900000001"},
	{ID: "ent-002", Name: "涵江海丰食品有限公司", County: "hanjiang", IndustryChain: "食品加工", MemberKind: "standing_member", Size: "medium", ContactName: "陈志明", ContactPhone: "13900000002"},
	{ID: "ent-003", Name: "仙游古典工艺家具有限公司", County: "xianyou", IndustryChain: "工艺美术", MemberKind: "vice_chair", Size: "medium", IsKey: true, ContactName: "黄文斌", ContactPhone: "13900000003"},
	{ID: "ent-004", Name: "城厢区金银珠宝商会", County: "chengxiang", IndustryChain: "工艺美术", MemberKind: "chamber", Size: "", ContactName: "郑秀英", ContactPhone: "13900000004"},
	{ID: "ent-005", Name: "秀屿港航物流有限公司", County: "xiuyu", IndustryChain: "临港物流", MemberKind: "standing_member", Size: "large", IsKey: true, ContactName: "吴海涛", ContactPhone: "13900000005"},
	{ID: "ent-006", Name: "湄洲岛妈祖文化旅游开发有限公司", County: "meizhou-island", IndustryChain: "文旅", MemberKind: "standing_member", Size: "medium", ContactName: "林海燕", ContactPhone: "13900000006"},
	{ID: "ent-007", Name: "北岸石化新材料有限公司", County: "beian", IndustryChain: "化工新材料", MemberKind: "vice_chair", Size: "large", IsKey: true, ContactName: "蔡国强", ContactPhone: "13900000007"},
	{ID: "ent-008", Name: "高新区芯联电子科技有限公司", County: "high-tech-zone", IndustryChain: "电子信息", MemberKind: "standing_member", Size: "small", ContactName: "许晓东", ContactPhone: "13900000008"},
	{ID: "ent-009", Name: "荔城区新能源装备有限公司", County: "licheng", IndustryChain: "新能源", MemberKind: "standing_member", Size: "medium", ContactName: "方明辉", ContactPhone: "13900000009"},
	{ID: "ent-010", Name: "上海莆田商会", County: "chengxiang", IndustryChain: "", MemberKind: "remote_chamber", Size: "", ContactName: "杨建国", ContactPhone: "13900000010"},
	{ID: "ent-011", Name: "涵江区食品行业商会", County: "hanjiang", IndustryChain: "食品加工", MemberKind: "chamber", Size: "", ContactName: "李春梅", ContactPhone: "13900000011"},
	{ID: "ent-012", Name: "仙游县医疗器械有限公司", County: "xianyou", IndustryChain: "生物医药", MemberKind: "standing_member", Size: "small", ContactName: "朱丽华", ContactPhone: "13900000012"},
}

// DemoUsers are the demo users: one per role, both supervision offices, two leaders and
// one user per responsible unit (unit-<id>). Every password is DemoPassword.
func DemoUsers() []NewUser {
	users := []NewUser{
		{Username: "admin", DisplayName: "系统管理员", Role: domain.RoleAdmin},
		{Username: "member", DisplayName: "会员部", Role: domain.RoleMemberDept},
		{Username: "party", DisplayName: "市委督查室", Role: domain.RoleSupervision, Unit: domain.OfficeParty},
		{Username: "gov", DisplayName: "市政府督查室", Role: domain.RoleSupervision, Unit: domain.OfficeGovernment},
		{Username: "efficiency", DisplayName: "市效能办", Role: domain.RoleEfficiency},
		{Username: "leader1", DisplayName: "班子成员一", Role: domain.RoleLeader},
		{Username: "leader2", DisplayName: "班子成员二", Role: domain.RoleLeader},
	}
	for _, u := range PutianUnits {
		if u.Responsible() {
			users = append(users, NewUser{Username: "unit-" + u.ID, DisplayName: u.Name, Role: domain.RoleUnit, Unit: u.ID})
		}
	}
	for i := range users {
		users[i].Password = DemoPassword
	}
	return users
}

// SeedDemo loads the demo reference data and users. Running it again changes nothing.
func (s *Store) SeedDemo(ctx context.Context) error {
	for _, u := range PutianUnits {
		if err := s.UpsertUnit(ctx, u); err != nil {
			return err
		}
	}
	for _, e := range DemoEnterprises {
		if err := s.UpsertEnterprise(ctx, e); err != nil {
			return err
		}
	}
	// One hash serves every demo user: they share a password, and bcrypt is slow on purpose.
	hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	for _, u := range DemoUsers() {
		if err := s.insertUser(ctx, u, hash, true); err != nil {
			return fmt.Errorf("store: demo user %s: %w", u.Username, err)
		}
	}
	return nil
}
