"""The official ``hubspot-api-client`` on the families added for issue 15: pipeline and stage writes,
property writes and groups, association label definitions, and required-attribute refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hubspot.crm.associations.v4.schema import PublicAssociationDefinitionCreateRequest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from hubspot.crm.pipelines import (
    PipelineInput,
    PipelinePatchInput,
    PipelineStageInput,
    PipelineStagePatchInput,
)
from hubspot.crm.properties import (
    BatchInputPropertyName,
    BatchReadInputPropertyName,
    PropertyCreate,
    PropertyGroupCreate,
    PropertyGroupUpdate,
    PropertyName,
    PropertyUpdate,
)

pytestmark = pytest.mark.network


def test_pipeline_and_stage_writes(hubspot_sdk: Any) -> None:
    api = hubspot_sdk.crm.pipelines
    stage = PipelineStageInput(label="Intro", display_order=0, metadata={"probability": "0.2"})
    created = api.pipelines_api.create(
        "deals", PipelineInput(label=f"P {uuid.uuid4().hex[:6]}", display_order=4, stages=[stage])
    )
    assert created.stages[0].metadata["isClosed"] == "false"
    renamed = api.pipelines_api.update("deals", created.id, PipelinePatchInput(label="Renamed"))
    assert renamed.label == "Renamed"
    added = api.pipeline_stages_api.create(
        "deals",
        created.id,
        PipelineStageInput(label="Won", display_order=1, metadata={"probability": "1.0", "isClosed": "true"}),
    )
    moved = api.pipeline_stages_api.update(
        "deals",
        created.id,
        added.id,
        PipelineStagePatchInput(metadata={"probability": "0.9"}, label="Nearly"),
    )
    assert (moved.label, moved.metadata["probability"]) == ("Nearly", "0.9")
    api.pipeline_stages_api.archive("deals", created.id, added.id)
    audit = api.pipeline_audits_api.get_audit("deals", created.id)
    assert [a.action for a in audit.results] == ["UPDATE", "CREATE"]
    api.pipelines_api.archive("deals", created.id)
    ids = [p.id for p in api.pipelines_api.get_all("deals").results]
    assert created.id not in ids


def test_property_writes_and_groups(hubspot_sdk: Any) -> None:
    props = hubspot_sdk.crm.properties
    group = props.groups_api.create("contacts", PropertyGroupCreate(name="sdk_group", label="SDK group"))
    assert group.name == "sdk_group"
    assert props.groups_api.update("contacts", "sdk_group", PropertyGroupUpdate(label="SDK")).label == "SDK"
    created = props.core_api.create(
        "contacts",
        PropertyCreate(
            name="sdk_score", label="Score", type="number", field_type="number", group_name="sdk_group"
        ),
    )
    assert created.group_name == "sdk_group"
    updated = props.core_api.update("contacts", "sdk_score", PropertyUpdate(label="SDK score"))
    assert updated.label == "SDK score"
    read = props.batch_api.read(
        "contacts",
        BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="sdk_score")]),
    )
    assert [p.name for p in read.results] == ["sdk_score"]
    props.batch_api.archive("contacts", BatchInputPropertyName(inputs=[PropertyName(name="sdk_score")]))
    props.groups_api.archive("contacts", "sdk_group")
    assert "sdk_group" not in [g.name for g in props.groups_api.get_all("contacts").results]


def test_association_label_definitions(hubspot_sdk: Any) -> None:
    defs = hubspot_sdk.crm.associations.v4.schema.definitions_api
    made = defs.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(label="Advisor", name="advisor", inverse_label="Advised"),
    )
    assert {r.label for r in made.results} == {"Advisor", "Advised"}
    forward = next(r for r in made.results if r.label == "Advisor")
    assert "Advisor" in [r.label for r in defs.get_all("contacts", "companies").results]
    defs.remove("contacts", "companies", forward.type_id)
    assert "Advisor" not in [r.label for r in defs.get_all("contacts", "companies").results]


def test_create_without_properties_is_refused(hubspot_sdk: Any) -> None:
    """The SDK's model lets ``properties`` be left out; the service (and the sandbox) refuse the body."""
    with pytest.raises(ContactsApiException) as caught:
        hubspot_sdk.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=None))
    assert caught.value.status == 400 and "[properties]" in str(caught.value.body)
