package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// A user's own password, and the administrator's pages of users: the same operations as
// the API's (service.Users), which check that the user is the administrator.

// passwordPage: GET /account/password.
func (k *Console) passwordPage(c *gin.Context) {
	p := k.base(c, mustMsg("account.password"))
	k.render(c, http.StatusOK, "password.html", p)
}

// changePassword: POST /account/password — the old password, and the new one twice.
func (k *Console) changePassword(c *gin.Context) {
	p := k.base(c, mustMsg("account.password"))
	if c.PostForm("new_password") != c.PostForm("confirm_password") {
		said(mustMsg("form.fix")).show(&p)
		p.Fields = map[string]string{"confirm_password": mustMsg("account.mismatch")}
		k.render(c, http.StatusUnprocessableEntity, "password.html", p)
		return
	}
	err := k.Service.Users.ChangePassword(c.Request.Context(), currentUser(c), service.PasswordChange{
		OldPassword: c.PostForm("old_password"), NewPassword: c.PostForm("new_password"), Session: SessionToken(c.Request)})
	if err != nil {
		if e := service.Classify(err); e.Kind == service.Invalid {
			refused(e, inputs("old_password", "new_password")).show(&p)
			k.render(c, http.StatusUnprocessableEntity, "password.html", p)
			return
		}
		k.fail(c, err)
		return
	}
	p.Flash = mustMsg("account.changed")
	k.render(c, http.StatusOK, "password.html", p)
}

// usersBody is the list of users with the form that adds one.
type usersBody struct {
	Users  []service.UserRecord
	Roles  []option
	Values url.Values
}

// usersPage: GET /admin/users.
func (k *Console) usersPage(c *gin.Context) { k.showUsers(c, http.StatusOK, noRefusal, url.Values{}) }

func (k *Console) showUsers(c *gin.Context, status int, r refusal, values url.Values) {
	list, err := k.Service.Users.ListUsers(c.Request.Context(), currentUser(c))
	if err != nil {
		k.fail(c, err)
		return
	}
	p := k.base(c, mustMsg("admin.users"))
	r.show(&p)
	p.Body = usersBody{Users: list, Roles: sortedOptions(domain.Roles), Values: values}
	k.render(c, status, "users.html", p)
}

// createUser: POST /admin/users.
func (k *Console) createUser(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	f := c.Request.PostForm
	u, err := k.Service.Users.CreateUser(c.Request.Context(), currentUser(c), service.NewUserRequest{Username: f.Get("username"),
		DisplayName: f.Get("display_name"), Role: f.Get("role"), Unit: strings.TrimSpace(f.Get("unit")), Password: f.Get("password")})
	if err != nil {
		if e := service.Classify(err); e.Kind == service.Invalid || e.Kind == service.Conflict {
			f.Del("password")
			k.showUsers(c, http.StatusUnprocessableEntity, refused(e, userInputs), f)
			return
		}
		k.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(u.Username)+"?done=created")
}

// userBody is one user's page.
type userBody struct {
	User    service.UserRecord
	Roles   []option
	Changes []userChangeRow
}

type userChangeRow struct{ At, Change, By string }

// userPage: GET /admin/users/{username}.
func (k *Console) userPage(c *gin.Context) { k.showUser(c, http.StatusOK, noRefusal) }

// userInputs are the inputs of a user's forms.
var userInputs = inputs("username", "display_name", "role", "unit", "password")

func (k *Console) showUser(c *gin.Context, status int, r refusal) {
	ctx, u := c.Request.Context(), currentUser(c)
	changes, err := k.Service.Users.UserChanges(ctx, u, c.Param("username"))
	if err != nil {
		k.fail(c, err)
		return
	}
	list, err := k.Service.Users.ListUsers(ctx, u)
	if err != nil {
		k.fail(c, err)
		return
	}
	b := userBody{Roles: sortedOptions(domain.Roles)}
	for _, r := range list {
		if r.Username == c.Param("username") {
			b.User = r
		}
	}
	for _, ch := range changes {
		label, _ := msg("change." + ch.Change)
		b.Changes = append(b.Changes, userChangeRow{At: ch.At.In(domain.Shanghai).Format("2006-01-02 15:04"), Change: label, By: ch.By})
	}
	p := k.base(c, b.User.Username)
	r.show(&p)
	p.Body = b
	if done := c.Query("done"); done != "" {
		p.Flash, _ = msg("change." + done)
	}
	k.render(c, status, "user.html", p)
}

// updateUser: POST /admin/users/{username} — name, role, unit, disabled.
func (k *Console) updateUser(c *gin.Context) {
	ch := service.UserChange{}
	for name, into := range map[string]**string{"display_name": &ch.DisplayName, "role": &ch.Role, "unit": &ch.Unit} {
		if v, ok := c.GetPostForm(name); ok {
			v = strings.TrimSpace(v)
			*into = &v
		}
	}
	disabled := c.PostForm("disabled") == "true"
	ch.Disabled = &disabled
	_, err := k.Service.Users.UpdateUser(c.Request.Context(), currentUser(c), c.Param("username"), ch)
	if err != nil {
		if e := service.Classify(err); e.Kind == service.Invalid || e.Kind == service.Conflict {
			k.showUser(c, http.StatusUnprocessableEntity, refused(e, userInputs))
			return
		}
		k.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(c.Param("username"))+"?done=updated")
}

// resetPassword: POST /admin/users/{username}/password.
func (k *Console) resetPassword(c *gin.Context) {
	err := k.Service.Users.ResetPassword(c.Request.Context(), currentUser(c), c.Param("username"),
		service.PasswordReset{Password: c.PostForm("password")})
	if err != nil {
		if e := service.Classify(err); e.Kind == service.Invalid {
			k.showUser(c, http.StatusUnprocessableEntity, refused(e, userInputs))
			return
		}
		k.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(c.Param("username"))+"?done=password_reset")
}
