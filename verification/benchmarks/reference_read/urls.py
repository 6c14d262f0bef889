"""The reference read (see the package): DRF as usually written, and the URLconf serving it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, permissions, serializers
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import AccessToken

from config.urls import handler404, handler500  # noqa: F401 - the product's error bodies
from config.urls import urlpatterns as product_urlpatterns
from rgms.cadets.models import Cadet


class StockJWTAuthentication(JWTAuthentication):
    """simplejwt as it comes: a full signature check and a user query on every request."""

    def get_validated_token(self, raw_token: bytes) -> AccessToken:
        return AccessToken(raw_token)  # type: ignore[arg-type]


class CadetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cadet
        fields = "__all__"


class OwnProfileView(generics.RetrieveAPIView):
    authentication_classes = [StockJWTAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CadetSerializer

    def get_queryset(self) -> QuerySet[Cadet]:  # the signed-in cadet's own record only
        return Cadet.objects.filter(pk=self.request.user.cadet_id)


urlpatterns = [*product_urlpatterns, path("reference/cadets/<int:pk>/", OwnProfileView.as_view())]
