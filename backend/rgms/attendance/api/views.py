"""Training day, attendance (cadets and staff) and excuse letter endpoints."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.pagination import IdCursorPagination, PagePagination
from rgms.api.permissions import IsStaffOrAdmin, ReadAnyWriteStaff
from rgms.api.schema import error_responses
from rgms.attendance import selectors, services
from rgms.attendance.api.serializers import (
    AttendanceBulkInputSerializer,
    AttendanceBulkOutputSerializer,
    AttendanceFilterSerializer,
    AttendanceInputSerializer,
    AttendanceOutputSerializer,
    AttendanceSheetFilterSerializer,
    AttendanceSheetRowSerializer,
    AttendanceUpdateSerializer,
    ExcuseLetterFilterSerializer,
    ExcuseLetterInputSerializer,
    ExcuseLetterOutputSerializer,
    StaffAttendanceFilterSerializer,
    StaffAttendanceInputSerializer,
    StaffAttendanceOutputSerializer,
    TrainingDayFilterSerializer,
    TrainingDayInputSerializer,
    TrainingDayOutputSerializer,
)
from rgms.attendance.models import (
    AttendanceRecord,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.cadets.api.support import (
    DETAIL_ERRORS,
    DETAIL_WRITE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    ActionPermissionsMixin,
    int_or_404,
    json_bytes,
    json_response,
    query_params,
)
from rgms.core.exceptions import NotAllowed
from rgms.users.models import Role

LIST_ERRORS = {**READ_ERRORS, **error_responses(400)}
DELETED = {204: OpenApiResponse(description="Deleted."), **DETAIL_ERRORS}


def _not_found() -> Http404:
    return Http404()


class TrainingDayViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """Training days. Every role reads; admin and staff write. Deleting a day deletes its
    attendance and recounts the affected grades."""

    queryset = TrainingDay.objects.all()  # for the schema's path parameter
    pagination_class = PagePagination
    permission_classes = (ReadAnyWriteStaff,)
    action_permissions = {"attendance_sheet": (IsStaffOrAdmin,)}

    def _day(self, pk: str | None) -> TrainingDay:
        day = selectors.training_day_get(training_day_id=int_or_404(pk))
        if day is None:
            raise _not_found()
        return day

    @extend_schema(
        parameters=[TrainingDayFilterSerializer],
        responses={200: TrainingDayOutputSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request: Request) -> Response:
        filters = selectors.TrainingDayFilters(**query_params(TrainingDayFilterSerializer, request))
        page = self.paginate_queryset(selectors.training_day_list(filters=filters))
        return self.get_paginated_response(TrainingDayOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: TrainingDayOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(TrainingDayOutputSerializer(self._day(pk)).data)

    @extend_schema(
        request=TrainingDayInputSerializer,
        responses={201: TrainingDayOutputSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        serializer = TrainingDayInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        day = services.training_day_create(data=serializer.validated_data)
        return Response(TrainingDayOutputSerializer(day).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TrainingDayInputSerializer,
        responses={200: TrainingDayOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=TrainingDayInputSerializer,
        responses={200: TrainingDayOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: str | None, *, partial: bool) -> Response:
        day = self._day(pk)
        serializer = TrainingDayInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        day = services.training_day_update(training_day=day, data=serializer.validated_data)
        return Response(TrainingDayOutputSerializer(day).data)

    @extend_schema(responses=DELETED)
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.training_day_delete(training_day=self._day(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[AttendanceSheetFilterSerializer],
        responses={
            200: AttendanceSheetRowSerializer(many=True),
            **DETAIL_ERRORS,
            **error_responses(400),
        },
    )
    @action(detail=True, methods=["get"], url_path="attendance-sheet")
    def attendance_sheet(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The day's attendance sheet (admin, staff): every cadet whose account is approved and
        not archived and whose profile is complete, by name, with the day's record; a cadet
        not marked yet has status null."""
        day = self._day(pk)
        filters = selectors.AttendanceSheetFilters(
            **query_params(AttendanceSheetFilterSerializer, request)
        )
        rows = self.paginate_queryset(
            selectors.attendance_sheet(training_day_id=day.pk, filters=filters)
        )
        results = [selectors.sheet_row(row) for row in rows]
        return json_response(json_bytes(self.get_paginated_response(results).data))


class AttendanceViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """Cadet attendance. Admin and staff read all and mark; a cadet reads only their own
    records. POST is an upsert on (training_day, cadet): 201 when created, 200 when an
    existing record was replaced."""

    queryset = AttendanceRecord.objects.all()  # for the schema's path parameter
    pagination_class = IdCursorPagination
    permission_classes = (ReadAnyWriteStaff,)

    def _record(self, pk: str | None) -> AttendanceRecord:
        record = selectors.attendance_get(viewer=self.request.user, record_id=int_or_404(pk))
        if record is None:
            raise _not_found()
        return record

    @extend_schema(
        parameters=[AttendanceFilterSerializer],
        responses={200: AttendanceOutputSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request: Request) -> Response:
        filters = selectors.AttendanceFilters(**query_params(AttendanceFilterSerializer, request))
        queryset = selectors.attendance_list(viewer=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AttendanceOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: AttendanceOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(AttendanceOutputSerializer(self._record(pk)).data)

    @extend_schema(
        request=AttendanceInputSerializer,
        responses={
            201: AttendanceOutputSerializer,
            200: AttendanceOutputSerializer,
            **WRITE_ERRORS,
        },
    )
    def create(self, request: Request) -> HttpResponse:
        serializer = AttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record, created = services.attendance_mark(**serializer.validated_data)
        return json_response(
            json_bytes(services.attendance_output(record)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=AttendanceBulkInputSerializer,
        responses={200: AttendanceBulkOutputSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> HttpResponse:
        """Mark many cadets for one training day (admin, staff), all or nothing: one
        transaction, one recount per cadet, a notification to each once it commits. A bad
        item is 400 naming its index and field (`errors.records.<index>.<field>`), and
        nothing is written."""
        serializer = AttendanceBulkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        day = serializer.validated_data["training_day"]
        result = services.attendance_mark_many(
            training_day=day, items=serializer.validated_data["records"]
        )
        body = {
            "training_day": day.pk,
            "created": result.created,
            "updated": result.updated,
            "results": [services.attendance_output(record) for record in result.records],
        }
        return json_response(json_bytes(body))

    @extend_schema(
        request=AttendanceUpdateSerializer,
        responses={200: AttendanceOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        record = self._record(pk)
        serializer = AttendanceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        record = services.attendance_update(record=record, data=serializer.validated_data)
        return Response(AttendanceOutputSerializer(record).data)

    @extend_schema(responses=DELETED)
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.attendance_delete(record=self._record(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffAttendanceViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """Staff attendance: admin and staff read and mark (upsert on (training_day, staff))."""

    queryset = StaffAttendanceRecord.objects.all()  # for the schema's path parameter
    pagination_class = IdCursorPagination
    permission_classes = (IsStaffOrAdmin,)

    def _record(self, pk: str | None) -> StaffAttendanceRecord:
        record = selectors.staff_attendance_get(record_id=int_or_404(pk))
        if record is None:
            raise _not_found()
        return record

    @extend_schema(
        parameters=[StaffAttendanceFilterSerializer],
        responses={200: StaffAttendanceOutputSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request: Request) -> Response:
        filters = selectors.StaffAttendanceFilters(
            **query_params(StaffAttendanceFilterSerializer, request)
        )
        page = self.paginate_queryset(selectors.staff_attendance_list(filters=filters))
        return self.get_paginated_response(StaffAttendanceOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: StaffAttendanceOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(StaffAttendanceOutputSerializer(self._record(pk)).data)

    @extend_schema(
        request=StaffAttendanceInputSerializer,
        responses={
            201: StaffAttendanceOutputSerializer,
            200: StaffAttendanceOutputSerializer,
            **WRITE_ERRORS,
        },
    )
    def create(self, request: Request) -> Response:
        serializer = StaffAttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record, created = services.staff_attendance_mark(**serializer.validated_data)
        return Response(
            StaffAttendanceOutputSerializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=AttendanceUpdateSerializer,
        responses={200: StaffAttendanceOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        record = self._record(pk)
        serializer = AttendanceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        record = services.staff_attendance_update(record=record, data=serializer.validated_data)
        return Response(StaffAttendanceOutputSerializer(record).data)

    @extend_schema(responses=DELETED)
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.staff_attendance_delete(record=self._record(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExcuseLetterViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """Excuse letters. A cadet submits, reads, edits (while pending, never the status) and
    withdraws only their own; admin and staff read all and approve or reject; admins may
    delete any. Another cadet's letter is 404."""

    queryset = ExcuseLetter.objects.all()  # for the schema's path parameter
    pagination_class = PagePagination
    permission_classes = (IsAuthenticated,)
    action_permissions = {
        "list": (IsAuthenticated,),
        "retrieve": (IsAuthenticated,),
        "create": (IsAuthenticated,),
        "partial_update": (IsAuthenticated,),
        "destroy": (IsAuthenticated,),
        "approve": (IsStaffOrAdmin,),
        "reject": (IsStaffOrAdmin,),
    }

    def _letter(self, pk: str | None) -> ExcuseLetter:
        letter = selectors.excuse_letter_get(viewer=self.request.user, letter_id=int_or_404(pk))
        if letter is None:
            raise _not_found()
        return letter

    @extend_schema(
        parameters=[ExcuseLetterFilterSerializer],
        responses={200: ExcuseLetterOutputSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request: Request) -> Response:
        filters = selectors.ExcuseLetterFilters(
            **query_params(ExcuseLetterFilterSerializer, request)
        )
        queryset = selectors.excuse_letter_list(viewer=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ExcuseLetterOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: ExcuseLetterOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ExcuseLetterOutputSerializer(self._letter(pk)).data)

    @extend_schema(
        request=ExcuseLetterInputSerializer,
        responses={201: ExcuseLetterOutputSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        if request.user.role != Role.CADET:
            raise NotAllowed("Excuse letters are submitted by cadets.")
        serializer = ExcuseLetterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        letter = services.excuse_letter_create(
            submitted_by=request.user, data=serializer.validated_data
        )
        return Response(ExcuseLetterOutputSerializer(letter).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ExcuseLetterInputSerializer,
        responses={
            200: ExcuseLetterOutputSerializer,
            **DETAIL_WRITE_ERRORS,
            **error_responses(409),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        letter = self._letter(pk)
        if request.user.role != Role.CADET:
            raise NotAllowed("Staff decide letters with approve or reject.")
        if "status" in request.data:
            raise NotAllowed("A cadet cannot change the status of an excuse letter.")
        serializer = ExcuseLetterInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        letter = services.excuse_letter_update(
            letter=letter, data=serializer.validated_data, updated_by=request.user
        )
        return Response(ExcuseLetterOutputSerializer(letter).data)

    @extend_schema(responses={**DELETED, **error_responses(409)})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        letter = self._letter(pk)
        if request.user.role == Role.TRAINING_STAFF:
            raise NotAllowed("Staff cannot delete excuse letters.")
        services.excuse_letter_delete(letter=letter, deleted_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: ExcuseLetterOutputSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve; with a training day, the cadet is marked excused for it."""
        letter = services.excuse_letter_decide(
            letter=self._letter(pk), status=ExcuseLetter.Status.APPROVED, decided_by=request.user
        )
        return Response(ExcuseLetterOutputSerializer(letter).data)

    @extend_schema(request=None, responses={200: ExcuseLetterOutputSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        letter = services.excuse_letter_decide(
            letter=self._letter(pk), status=ExcuseLetter.Status.REJECTED, decided_by=request.user
        )
        return Response(ExcuseLetterOutputSerializer(letter).data)
