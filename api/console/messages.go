package console

import "fmt"

// messages is the console's one message catalogue: every word a page shows that is not a
// domain label (those are in workflows/domain, with the statuses, roles and events).
var messages = map[string]string{
	"app":             "caseflow 企业诉求办理",
	"app.sub":         "莆田市工商联 · 领导干部挂钩联系民营企业问题办理",
	"login":           "登录",
	"login.username":  "用户名",
	"login.password":  "密码",
	"login.submit":    "登录",
	"logout":          "退出",
	"home":            "首页",
	"todo":            "待办事项",
	"todo.none":       "暂无待办事项。",
	"cases":           "案件",
	"cases.all":       "全部案件",
	"cases.none":      "没有符合条件的案件。",
	"cases.next":      "下一页",
	"cases.first":     "回到第一页",
	"cases.filter":    "筛选",
	"cases.total":     "共 %d 件",
	"cases.q":         "关键词",
	"visit.new":       "记录走访",
	"visit.date":      "走访日期",
	"visit.leaders":   "参加走访的班子成员",
	"visit.ents":      "走访企业",
	"visit.method":    "走访方式",
	"visit.notes":     "情况记录",
	"visit.problem":   "企业反映的问题",
	"visit.ptitle":    "问题标题",
	"visit.pdesc":     "问题描述",
	"visit.pcat":      "问题类别",
	"visit.plist":     "清单",
	"visit.submit":    "保存走访记录",
	"visit.done":      "走访已记录，问题已转为案件。",
	"visit.problemN":  "问题 %d（可不填）",
	"case.title":      "标题",
	"case.id":         "案件编号",
	"case.status":     "状态",
	"case.category":   "类别",
	"case.enterprise": "企业",
	"case.office":     "牵头督查室",
	"case.lead":       "牵头单位",
	"case.co":         "协办单位",
	"case.due":        "办理时限",
	"case.card":       "督办牌",
	"case.desc":       "问题描述",
	"case.report":     "办结报告",
	"case.resolution": "办理结果",
	"case.proposal":   "转办规则建议",
	"case.rules":      "命中规则",
	"case.deadlines":  "期限",
	"case.timeline":   "办理过程",
	"case.actions":    "可办理的操作",
	"case.noactions":  "当前没有您可以办理的操作。",
	"case.redacted":   "（涉敏信息，已隐藏）",
	"case.done":       "已完成：%s",
	"deadline.left":   "剩余 %d 个工作日",
	"deadline.today":  "今天到期",
	"deadline.over":   "已逾期 %d 个工作日",
	"form.error":      "未能提交：",
	"form.confirm":    "此操作不可撤销，确认提交",
	"notfound":        "没有找到该页面或案件，或您无权查看。",
	"notfound.title":  "未找到",
	"error.title":     "出错了",
	"error.retry":     "请稍后重试。",
	"csrf":            "表单已过期或来源不明，请刷新页面后重新提交。",
	"yes":             "是",
	"no":              "否",
	"unset":           "（按规则建议）",
	"report.summary":  "季度报告",
	"audit.units":     "单位考评",
	"step.triage":     "梳理",
	"step.referral":   "转办",
	"step.sign":       "签收",
	"step.handling":   "办理",
	"step.callback":   "回访",
	"todo.triage":     "待梳理",
	"todo.referral":   "待转办",
	"todo.sign":       "待签收",
	"todo.due_soon":   "3个工作日内到期",
	"todo.overdue":    "已逾期",
	"todo.extension":  "延期申请",
	"todo.callback":   "待回访",
	"todo.close":      "待销号",
	"todo.carded":     "红牌案件",
	"todo.mine":       "我提出的在办案件",
}

// msg is the catalogue's text for key, formatted with args; a key missing from the
// catalogue is a fault the page tests catch.
func msg(key string, args ...any) (string, error) {
	m, ok := messages[key]
	if !ok {
		return "", fmt.Errorf("console: no message %q", key)
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...), nil
	}
	return m, nil
}
