package domain

// Case statuses (docs/lifecycle.md).
const (
	StatusTriage   = "triage"    // 会员部梳理
	StatusReferral = "referral"  // 待转办
	StatusHandling = "handling"  // 办理中
	StatusFollowUp = "follow_up" // 回访
	StatusClosed   = "closed"    // 已销号
	// StatusMerged: the case was merged into a common problem (共性问题) and follows its
	// parent case; it closes when the parent closes.
	StatusMerged = "merged" // 已并案
)

// Roles of users.
const (
	RoleLeader      = "leader"      // 班子成员
	RoleMemberDept  = "member_dept" // 会员部
	RoleSupervision = "supervision" // 督查室
	RoleUnit        = "unit"        // 承办单位
	RoleEfficiency  = "efficiency"  // 市效能办
	RoleAdmin       = "admin"       // 系统管理员
)

// Supervision offices: a case has one lead office.
const (
	OfficeParty      = "party"      // 市委督查室
	OfficeGovernment = "government" // 市政府督查室
)

// Scopes: raised by many enterprises or by one.
const (
	ScopeCommon     = "common"     // 共性问题
	ScopeIndividual = "individual" // 个性问题
)

// Completion outcomes (办结结果).
const (
	OutcomeResolved       = "resolved"        // 已解决
	OutcomePartlyResolved = "partly_resolved" // 部分解决
	OutcomeExplained      = "explained"       // 已解释说明
	OutcomeNotPossible    = "not_possible"    // 政策不允许
)

// Triage decisions.
const (
	DecisionRefer  = "refer"  // 转办
	DecisionAnswer = "answer" // 直接答复
	DecisionReject = "reject" // 不予受理
)

// Timeline event types.
const (
	EventCreated    = "created"
	EventRouted     = "routed"
	EventTriaged    = "triaged"
	EventReferred   = "referred"
	EventSigned     = "signed"
	EventProgress   = "progress"
	EventReturned   = "returned"
	EventCompleted  = "completed"
	EventCalledBack = "called_back"
	EventClosed     = "closed"
	EventReopened   = "reopened"
	EventCommented  = "commented"
	// EventFileAdded is a file attached to the case (POST /cases/{id}/files).
	EventFileAdded = "file_added"
	// Common problems: the parent records the cases merged into it (merged), each child
	// that it was merged into the parent (merged_into); the child closes with a closed
	// event naming the parent.
	EventMerged     = "merged"
	EventMergedInto = "merged_into"
	// Appeals (申诉) of a unit against items of its audit figures, and the efficiency
	// office's decision.
	EventAppealed       = "appealed"
	EventAppealAccepted = "appeal_accepted"
	EventAppealRejected = "appeal_rejected"
	// The supervision ladder.
	EventReminded   = "reminded"
	EventUrged      = "urged"
	EventYellowCard = "yellow_card"
	EventRedCard    = "red_card"
	// Extensions.
	EventExtensionRequested = "extension_requested"
	EventExtensionApproved  = "extension_approved"
	EventExtensionDenied    = "extension_denied"
)

// Cards: the most severe supervision notice a case has had.
const (
	CardNone   = "none"
	CardBlue   = "blue"   // urging notice (催办)
	CardYellow = "yellow" // yellow card (黄牌)
	CardRed    = "red"    // red card (红牌), escalated to the leaders
)

// NoticeReminder is the kind of the ladder's first rung: a reminder before the deadline
// (the others are the cards blue, yellow and red).
const NoticeReminder = "reminder"

// Cards, from least to most severe.
var Cards = []string{CardNone, CardBlue, CardYellow, CardRed}

// CardLabels names the cards.
var CardLabels = map[string]string{CardNone: "无", CardBlue: "催办（蓝）", CardYellow: "黄牌", CardRed: "红牌"}

// Extension request states.
const (
	ExtensionPending  = "pending"
	ExtensionApproved = "approved"
	ExtensionDenied   = "denied"
)

// Deadline kinds: the steps a case's deadlines belong to.
const (
	DeadlineTriage   = "triage"
	DeadlineReferral = "referral"
	DeadlineSign     = "sign"
	DeadlineHandling = "handling"
	DeadlineCallback = "callback"
)

// SLA classes.
const (
	SLAStandard = "standard"
	SLAUrgent   = "urgent"
	SLAComplex  = "complex"
)

// Priorities.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Lists of the quarterly report.
const (
	ListProblem = "problem"
	ListFunding = "funding"
	ListSupport = "support"
)

// EventLabels names the event types, for notifications and anything a person reads.
var EventLabels = map[string]string{
	EventCreated: "登记", EventRouted: "规则建议", EventTriaged: "梳理", EventReferred: "案件已交办", EventSigned: "签收",
	EventProgress: "进展", EventReturned: "案件被退回", EventCompleted: "案件已办结，请回访", EventCalledBack: "回访",
	EventClosed: "销号", EventReopened: "重新打开", EventCommented: "备注", EventFileAdded: "上传附件", EventReminded: "办理期限提醒",
	EventUrged: "催办通知", EventYellowCard: "黄牌督办", EventRedCard: "红牌督办", EventExtensionRequested: "延期申请",
	EventExtensionApproved: "延期已批准", EventExtensionDenied: "延期未批准", EventMerged: "并案（共性问题）",
	EventMergedInto: "已并入共性问题", EventAppealed: "申诉", EventAppealAccepted: "申诉已采纳", EventAppealRejected: "申诉未采纳",
}

// AppealItems are the items of a unit's audit figures an appeal can ask to remove for a
// case: its overdue time, a late sign-for, a return, a redo, and each colour of card.
var AppealItems = map[string]string{
	"overdue": "超期", "late_sign": "逾期签收", "returned": "退回", "redo": "重办",
	"blue_card": "催办（蓝牌）", "yellow_card": "黄牌", "red_card": "红牌",
}

// Appeal states.
const (
	AppealPending  = "pending"
	AppealAccepted = "accepted"
	AppealRejected = "rejected"
)

// SLA classes: how long a unit has to handle a case.
var SLAs = map[string]string{SLAStandard: "常规件", SLAUrgent: "急件", SLAComplex: "复杂件"}

// Priorities of cases.
var Priorities = map[string]string{PriorityLow: "低", PriorityNormal: "一般", PriorityHigh: "高", PriorityUrgent: "紧急"}

// StatusLabels are the Chinese names of the statuses, for anything a person reads.
var StatusLabels = map[string]string{
	StatusTriage:   "待梳理",
	StatusReferral: "待转办",
	StatusHandling: "办理中",
	StatusFollowUp: "待回访",
	StatusClosed:   "已销号",
	StatusMerged:   "已并案",
}

// Categories are the kinds of problem a case can be, with their Chinese names.
var Categories = map[string]string{
	"land":                 "土地",
	"planning":             "规划",
	"construction":         "施工",
	"fire_safety":          "消防",
	"talent":               "人才",
	"power":                "供电",
	"financing":            "融资",
	"business_environment": "营商环境",
	"policy":               "政策落实",
	"investment_lead":      "招商线索",
	"other":                "其他",
}

// Lists are the three lists of the quarterly report (attachments 1–3).
var Lists = map[string]string{
	ListProblem: "问题诉求清单",
	ListFunding: "资金需求清单",
	ListSupport: "配套需求清单",
}

// Scopes names the scopes.
var Scopes = map[string]string{ScopeCommon: "共性问题", ScopeIndividual: "个性问题"}

// Offices names the supervision offices.
var Offices = map[string]string{OfficeParty: "市委督查室", OfficeGovernment: "市政府督查室"}

// Outcomes names the completion outcomes.
var Outcomes = map[string]string{
	OutcomeResolved:       "已解决",
	OutcomePartlyResolved: "部分解决",
	OutcomeExplained:      "已解释说明",
	OutcomeNotPossible:    "政策不允许",
}

// Roles names the roles.
var Roles = map[string]string{
	RoleLeader:      "班子成员",
	RoleMemberDept:  "会员部",
	RoleSupervision: "督查室",
	RoleUnit:        "承办单位",
	RoleEfficiency:  "市效能办",
	RoleAdmin:       "系统管理员",
}

// Notification channels and delivery states.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"

	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// ErrProjectionRefused is the error type of a projection the read model refuses for good
// (a value it cannot store): retrying cannot help, so the action fails (the API answers
// 422) and the case stays as it was.
const ErrProjectionRefused = "projection_refused"

// Member kinds: how an enterprise or chamber belongs to the Federation, as the linking
// minimums count them (notice: 5 chambers, 10 vice-chairs, 20 out-of-town chambers, 50
// standing committee members per leader). Empty: none of these.
const (
	MemberChamber        = "chamber"         // 所属商会
	MemberViceChair      = "vice_chair"      // 兼职副主席/副会长
	MemberRemoteChamber  = "remote_chamber"  // 异地莆田商会
	MemberStandingMember = "standing_member" // 常执委
)

// MemberKinds names the member kinds.
var MemberKinds = map[string]string{
	MemberChamber: "所属商会", MemberViceChair: "兼职副主席/副会长",
	MemberRemoteChamber: "异地莆田商会", MemberStandingMember: "常执委",
}

// MemberKindAliases are the other ways people write a member kind in a spreadsheet.
var MemberKindAliases = map[string]string{
	"商会": MemberChamber, "兼职副主席": MemberViceChair, "副主席": MemberViceChair, "副会长": MemberViceChair,
	"兼职副会长": MemberViceChair, "异地商会": MemberRemoteChamber, "常委": MemberStandingMember,
	"执委": MemberStandingMember, "常务委员": MemberStandingMember,
}

// Sizes names the enterprise sizes (规模). Empty: not known (a chamber has none).
var Sizes = map[string]string{"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

// LinkMinimums are how many of each member kind every leader must be linked to (挂钩联系):
// at least 5 affiliated chambers, 10 part-time vice-chairs, 20 out-of-town Putian chambers
// and 50 standing committee members (the notice).
var LinkMinimums = map[string]int{MemberChamber: 5, MemberViceChair: 10, MemberRemoteChamber: 20, MemberStandingMember: 50}

// How a visit was made (走访方式).
var VisitMethods = map[string]string{"onsite": "上门走访", "symposium": "座谈会", "field_office": "现场办公", "online": "线上走访"}

// What a visit did: the five main tasks of the notice.
var VisitTopics = map[string]string{"policy": "宣讲政策", "service": "服务发展", "opinions": "听取意见", "facts": "摸清实情",
	"problems": "解决难题"}

// PlanStatuses name the states of a plan's measure.
var PlanStatuses = map[string]string{"planned": "计划中", "in_progress": "推进中", "done": "已完成"}

// Investment leads (以商招商): the states of a lead, in the order a lead moves through them
// (dropped: given up, from any state before landed).
const (
	LeadNew         = "new"
	LeadContacting  = "contacting"
	LeadNegotiating = "negotiating"
	LeadSigned      = "signed"
	LeadLanded      = "landed"
	LeadDropped     = "dropped"
)

// LeadOrder is the path of a lead; LeadStatuses name every state.
var (
	LeadOrder    = []string{LeadNew, LeadContacting, LeadNegotiating, LeadSigned, LeadLanded}
	LeadStatuses = map[string]string{LeadNew: "新线索", LeadContacting: "接洽中", LeadNegotiating: "洽谈中",
		LeadSigned: "已签约", LeadLanded: "已落地", LeadDropped: "已放弃"}
)
