package service

import (
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

func TestASessionIsTrustedForASecondAndForgottenAtOnceWhenEndedHere(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := newSessionCache()
	c.Now = func() time.Time { return now }
	member := domain.User{Username: "member", Role: domain.RoleMemberDept}
	if _, ok := c.get("t1"); ok {
		t.Fatal("an unknown token was found")
	}
	c.put("t1", member)
	now = now.Add(sessionTTL - time.Millisecond)
	if u, ok := c.get("t1"); !ok || u != member {
		t.Fatalf("within the TTL: %+v, %v", u, ok)
	}
	now = now.Add(time.Millisecond)
	if _, ok := c.get("t1"); ok {
		t.Error("a session read a TTL ago is still trusted: another process may have ended it")
	}
	c.put("t1", member)
	c.forget("t1")
	if _, ok := c.get("t1"); ok {
		t.Error("a logged-out token is still trusted")
	}
	c.put("t1", member)
	c.put("t2", member)
	c.put("t3", domain.User{Username: "party", Role: domain.RoleSupervision})
	c.forgetUser("member")
	for _, tok := range []string{"t1", "t2"} {
		if _, ok := c.get(tok); ok {
			t.Errorf("%s of a revoked user is still trusted", tok)
		}
	}
	if _, ok := c.get("t3"); !ok {
		t.Error("another user's session was forgotten")
	}
	for i := range maxCachedSessions + 1 {
		c.put(string(rune(i))+"x", member)
	}
	if c.Len() > maxCachedSessions {
		t.Errorf("%d sessions kept, at most %d", c.Len(), maxCachedSessions)
	}
}
