package workflows

// ActionLabels names the user actions.
var ActionLabels = map[string]string{
	UpdateTriage:          "梳理",
	UpdateRefer:           "转办",
	UpdateSign:            "签收",
	UpdateProgress:        "报告进展",
	UpdateReturn:          "退回",
	UpdateComplete:        "办结",
	UpdateCallback:        "回访",
	UpdateClose:           "销号",
	UpdateReopen:          "重新打开",
	UpdateComment:         "备注",
	UpdateExtend:          "申请延期",
	UpdateDecideExtension: "审批延期",
}
