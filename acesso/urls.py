from django.contrib.auth import views as auth_views
from django.urls import path

from acesso import views
from acesso.formularios import EntradaForm

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path(
        "entrar/",
        auth_views.LoginView.as_view(template_name="registration/login.html", authentication_form=EntradaForm),
        name="entrar",
    ),
    path("sair/", auth_views.LogoutView.as_view(), name="sair"),
]
