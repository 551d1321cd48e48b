"""Sign-in and the dashboard."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mailadmin import audit, mfa, mfa_views
from mailadmin.directory import connect
from mailadmin.directory.stats import remembered_counts
from mailadmin.permissions import access_for


class SignInView(auth_views.LoginView):
    """The password; then, when the user has a second factor or its role requires one, the session owes that step
    (mailadmin.mfa) before it reaches any page."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        step = mfa.step_owed(self.request.user)
        if step is None:
            return response
        self.request.session[mfa.PENDING] = step
        self.request.session[mfa_views.NEXT] = self.get_success_url()
        return redirect(f"mfa:{step}")


login = login_not_required(SignInView.as_view())

RECENT_CHANGES = 15


def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts of domains, accounts, disabled accounts and virtual aliases, and the latest changes: over every domain
    for superadmins and global helpdesk, over their own domains for everyone else; refusals only to whoever tried
    them, and to superadmins."""
    access = access_for(request.user)
    with connect() as directory:
        counts = remembered_counts(directory, access.scope)
    refusals_of = None if access.superadmin else request.user.get_username()
    changes = audit.recent(RECENT_CHANGES, domains=access.scope, refusals_of=refusals_of)
    return render(request, "dashboard.html", {"counts": counts.value, "as_of": counts.as_of, "changes": changes})
