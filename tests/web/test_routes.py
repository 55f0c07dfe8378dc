"""The app's routes and OpenAPI operations stay as they were when the routes moved into the domains'
`api` and `pages` modules (issue 12): a route lost, renamed or moved to another method fails here.

A route added on purpose is added to the list below in the same change."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from tsunagari.web.app import create_app
from tsunagari.web.public_api import PublicCachedRoute

# "METHOD path" of every route of create_app(), mounts as "MOUNT path".
ROUTES = """
DELETE /api/v1/activities/{id}
DELETE /api/v1/awards/{id}
DELETE /api/v1/benefits/{id}
DELETE /api/v1/contacts/{id}
DELETE /api/v1/meetings/{id}
DELETE /api/v1/memberships/{id}
DELETE /api/v1/municipalities/{id}
DELETE /api/v1/networks/{id}
DELETE /api/v1/organisations/{id}
DELETE /api/v1/partnerships/{id}
DELETE /api/v1/programme-partners/{id}
DELETE /api/v1/programmes/{id}
DELETE /api/v1/visits/{id}
GET /
GET /anniversaries
GET /anniversaries.ics
GET /anniversaries/{year}
GET /anniversaries/{year}/partnerships.{fmt}
GET /api/v1/activities
GET /api/v1/anniversaries
GET /api/v1/awards
GET /api/v1/benefits
GET /api/v1/cases
GET /api/v1/contacts
GET /api/v1/contacts/{id}
GET /api/v1/dormant
GET /api/v1/indicators
GET /api/v1/map
GET /api/v1/matches
GET /api/v1/me
GET /api/v1/municipalities
GET /api/v1/municipalities/{id}
GET /api/v1/networks
GET /api/v1/networks/{id}
GET /api/v1/partnerships
GET /api/v1/partnerships/{id}
GET /api/v1/programmes
GET /api/v1/programmes/{id}
GET /api/v1/search
GET /api/v1/seeking
GET /api/v1/seeking/{id}
GET /api/v1/seeking/{id}/matches
GET /api/v1/staff/{kind}/{id}
GET /api/v1/stats
GET /api/v1/visits
GET /api/v1/visits/due
GET /awards
GET /benefits
GET /awards.{fmt}
GET /benefits.{fmt}
GET /cases
GET /cases.{fmt}
GET /countries
GET /countries.{fmt}
GET /countries/{alpha2}
GET /countries/{alpha2}/partnerships.{fmt}
GET /data
GET /data/partnerships.csv
GET /data/partnerships.csv-metadata.json
GET /data/partnerships.json
GET /data/partnerships.jsonld
GET /data/partnerships.xlsx
GET /decades
GET /decades.{fmt}
GET /decades/{decade}
GET /decades/{decade}/partnerships.{fmt}
GET /docs
GET /docs/oauth2-redirect
GET /embed/municipalities/{municipality_id}
GET /healthz
GET /map
GET /municipalities/{municipality_id}
GET /municipalities/{municipality_id}/anniversaries.ics
GET /municipalities/{municipality_id}/brochure
GET /municipalities/{municipality_id}/events.ics
GET /municipalities/{municipality_id}/partners.{fmt}
GET /municipalities/{municipality_id}/publications
GET /municipalities/{municipality_id}/publications.atom
GET /municipalities/{municipality_id}/publications.{fmt}
GET /networks
GET /networks.{fmt}
GET /networks/{network_id}
GET /openapi.json
GET /partnerships/{partnership_id}
GET /prefectures
GET /prefectures.{fmt}
GET /prefectures/{name}
GET /prefectures/{name}/partnerships.{fmt}
GET /programmes
GET /programmes.{fmt}
GET /programmes/{programme_id}
GET /redoc
GET /search
GET /search.{fmt}
GET /seeking
GET /seeking.{fmt}
GET /seeking/{profile_id}
GET /staff
GET /staff/activity/new
GET /staff/activity/{record_id}/delete
GET /staff/activity/{record_id}/edit
GET /staff/audit
GET /staff/award/new
GET /staff/award/{record_id}/delete
GET /staff/award/{record_id}/edit
GET /staff/benefit/new
GET /staff/benefit/{record_id}/delete
GET /staff/benefit/{record_id}/edit
GET /staff/benefit/{record_id}/inline
GET /staff/benefit/{record_id}/inline/edit
GET /staff/benefits
GET /staff/contact/new
GET /staff/contact/{record_id}/delete
GET /staff/contact/{record_id}/edit
GET /staff/contact/{record_id}/inline
GET /staff/contact/{record_id}/inline/edit
GET /staff/contacts
GET /staff/echo/{kind}
GET /staff/evaluation/award
GET /staff/evaluation/dormant
GET /staff/evaluation/indicators
GET /staff/evaluation/indicators/{kind}/{record_id}
GET /staff/evaluation/jimu-jigyo
GET /staff/evaluation/verification
GET /staff/evaluation/{kind}/{record_id}
GET /staff/evaluations
GET /staff/evaluations/open
GET /staff/history/{table}/{record_id}
GET /staff/import/partnerships
GET /staff/labour_cost/new
GET /staff/labour_cost/{record_id}/delete
GET /staff/labour_cost/{record_id}/edit
GET /staff/login
GET /staff/meeting/new
GET /staff/meeting/{record_id}/delete
GET /staff/meeting/{record_id}/edit
GET /staff/municipality/new
GET /staff/municipality/{record_id}/delete
GET /staff/municipality/{record_id}/edit
GET /staff/network/new
GET /staff/network/{record_id}/delete
GET /staff/network/{record_id}/edit
GET /staff/network/{record_id}/members
GET /staff/organisation/new
GET /staff/organisation/{record_id}/delete
GET /staff/organisation/{record_id}/edit
GET /staff/partnership/new
GET /staff/partnership/{record_id}/delete
GET /staff/partnership/{record_id}/edit
GET /staff/partnership/{record_id}/inline
GET /staff/partnership/{record_id}/inline/edit
GET /staff/partnerships
GET /staff/password
GET /staff/pick/{what}
GET /staff/policy
GET /staff/policy/rules
GET /staff/policy/rules/{record_id}
GET /staff/programme/new
GET /staff/programme/{record_id}/delete
GET /staff/programme/{record_id}/edit
GET /staff/programme/{record_id}/partners
GET /staff/programme_sheet/new
GET /staff/programme_sheet/{record_id}/delete
GET /staff/programme_sheet/{record_id}/edit
GET /staff/programme_sheet_year/new
GET /staff/programme_sheet_year/{record_id}/delete
GET /staff/programme_sheet_year/{record_id}/edit
GET /staff/review
GET /staff/seeking_profile/new
GET /staff/seeking_profile/{record_id}/delete
GET /staff/seeking_profile/{record_id}/edit
GET /staff/tokens
GET /staff/users
GET /staff/users/{record_id}/edit
GET /staff/visit/new
GET /staff/visit/{record_id}/delete
GET /staff/visit/{record_id}/edit
GET /stats
GET /stats.{fmt}
GET /stats/{group_by}.{fmt}
HEAD /docs
HEAD /docs/oauth2-redirect
HEAD /openapi.json
HEAD /redoc
MOUNT /static
PATCH /api/v1/activities/{id}
PATCH /api/v1/awards/{id}
PATCH /api/v1/benefits/{id}
PATCH /api/v1/contacts/{id}
PATCH /api/v1/meetings/{id}
PATCH /api/v1/municipalities/{id}
PATCH /api/v1/networks/{id}
PATCH /api/v1/organisations/{id}
PATCH /api/v1/partnerships/{id}
PATCH /api/v1/programmes/{id}
PATCH /api/v1/visits/{id}
POST /api/v1/activities
POST /api/v1/awards
POST /api/v1/benefits
POST /api/v1/contacts
POST /api/v1/meetings
POST /api/v1/memberships
POST /api/v1/municipalities
POST /api/v1/networks
POST /api/v1/organisations
POST /api/v1/partnerships
POST /api/v1/programmes
POST /api/v1/programmes/{id}/partners
POST /api/v1/visits
POST /staff/activity/new
POST /staff/activity/{record_id}/delete
POST /staff/activity/{record_id}/edit
POST /staff/award/new
POST /staff/award/{record_id}/delete
POST /staff/award/{record_id}/edit
POST /staff/benefit/new
POST /staff/benefit/{record_id}/delete
POST /staff/benefit/{record_id}/edit
POST /staff/benefit/{record_id}/inline
POST /staff/contact/new
POST /staff/contact/{record_id}/delete
POST /staff/contact/{record_id}/edit
POST /staff/contact/{record_id}/inline
POST /staff/evaluation/{kind}/{record_id}
POST /staff/import/partnerships/confirm
POST /staff/import/partnerships/preview
POST /staff/labour_cost/new
POST /staff/labour_cost/{record_id}/delete
POST /staff/labour_cost/{record_id}/edit
POST /staff/login
POST /staff/logout
POST /staff/meeting/new
POST /staff/meeting/{record_id}/delete
POST /staff/meeting/{record_id}/edit
POST /staff/municipality/new
POST /staff/municipality/{record_id}/delete
POST /staff/municipality/{record_id}/edit
POST /staff/network-members/new
POST /staff/network-membership/{record_id}/remove
POST /staff/network/new
POST /staff/network/{record_id}/delete
POST /staff/network/{record_id}/edit
POST /staff/organisation/new
POST /staff/organisation/{record_id}/delete
POST /staff/organisation/{record_id}/edit
POST /staff/partnership/new
POST /staff/partnership/{record_id}/delete
POST /staff/partnership/{record_id}/edit
POST /staff/partnership/{record_id}/inline
POST /staff/password
POST /staff/policy/rules/{record_id}
POST /staff/programme-partner/{record_id}/remove
POST /staff/programme/new
POST /staff/programme/{record_id}/delete
POST /staff/programme/{record_id}/edit
POST /staff/programme/{record_id}/partners
POST /staff/programme_sheet/new
POST /staff/programme_sheet/{record_id}/delete
POST /staff/programme_sheet/{record_id}/edit
POST /staff/programme_sheet_year/new
POST /staff/programme_sheet_year/{record_id}/delete
POST /staff/programme_sheet_year/{record_id}/edit
POST /staff/review/{record_id}/resolve
POST /staff/seeking_profile/new
POST /staff/seeking_profile/{record_id}/delete
POST /staff/seeking_profile/{record_id}/edit
POST /staff/tokens/new
POST /staff/tokens/{record_id}/revoke
POST /staff/users/new
POST /staff/users/{record_id}/disable
POST /staff/users/{record_id}/edit
POST /staff/visit/new
POST /staff/visit/{record_id}/delete
POST /staff/visit/{record_id}/edit
"""

# "METHOD path operationId success-response-schema" of every operation in the OpenAPI document.
OPERATIONS = """
DELETE /api/v1/activities/{id} delete_activity_api_v1_activities__id__delete -
DELETE /api/v1/awards/{id} delete_award_api_v1_awards__id__delete -
DELETE /api/v1/benefits/{id} delete_benefit_api_v1_benefits__id__delete -
DELETE /api/v1/contacts/{id} delete_contact_api_v1_contacts__id__delete -
DELETE /api/v1/meetings/{id} delete_meeting_api_v1_meetings__id__delete -
DELETE /api/v1/memberships/{id} delete_membership_api_v1_memberships__id__delete -
DELETE /api/v1/municipalities/{id} delete_municipality_api_v1_municipalities__id__delete -
DELETE /api/v1/networks/{id} delete_network_api_v1_networks__id__delete -
DELETE /api/v1/organisations/{id} delete_organisation_api_v1_organisations__id__delete -
DELETE /api/v1/partnerships/{id} delete_partnership_api_v1_partnerships__id__delete -
DELETE /api/v1/programme-partners/{id} remove_programme_partner_api_v1_programme_partners__id__delete -
DELETE /api/v1/programmes/{id} delete_programme_api_v1_programmes__id__delete -
DELETE /api/v1/visits/{id} delete_visit_api_v1_visits__id__delete -
GET /api/v1/activities list_activities_api_v1_activities_get Listing_ActivityRead_
GET /api/v1/anniversaries anniversaries_api_v1_anniversaries_get Listing_AnniversaryRead_
GET /api/v1/awards list_awards_api_v1_awards_get Listing_AwardRead_
GET /api/v1/benefits list_benefits_api_v1_benefits_get Listing_BenefitRead_
GET /api/v1/cases list_cases_api_v1_cases_get Listing_ProgrammeSummary_
GET /api/v1/contacts view_contacts_api_v1_contacts_get array
GET /api/v1/contacts/{id} view_contact_api_v1_contacts__id__get object
GET /api/v1/dormant dormant_api_v1_dormant_get array
GET /api/v1/indicators indicators_api_v1_indicators_get array
GET /api/v1/map map_lines_api_v1_map_get Listing_MapLine_
GET /api/v1/matches matches_api_v1_matches_get array
GET /api/v1/me me_api_v1_me_get object
GET /api/v1/municipalities list_municipalities_api_v1_municipalities_get Listing_MunicipalitySummary_
GET /api/v1/municipalities/{id} get_municipality_api_v1_municipalities__id__get MunicipalityDetail
GET /api/v1/networks list_networks_api_v1_networks_get Listing_NetworkSummary_
GET /api/v1/networks/{id} get_network_api_v1_networks__id__get NetworkDetail
GET /api/v1/partnerships list_partnerships_api_v1_partnerships_get Listing_PartnershipRead_
GET /api/v1/partnerships/{id} get_partnership_api_v1_partnerships__id__get PartnershipRead
GET /api/v1/programmes list_programmes_api_v1_programmes_get Listing_ProgrammeSummary_
GET /api/v1/programmes/{id} get_programme_api_v1_programmes__id__get ProgrammeDetail
GET /api/v1/search search_api_v1_search_get Listing_MunicipalitySummary_
GET /api/v1/seeking list_seeking_api_v1_seeking_get Listing_SeekingProfileRead_
GET /api/v1/seeking/{id} get_seeking_api_v1_seeking__id__get SeekingProfileRead
GET /api/v1/seeking/{id}/matches seeking_matches_api_v1_seeking__id__matches_get array
GET /api/v1/staff/{kind}/{id} view_staff_record_api_v1_staff__kind___id__get object
GET /api/v1/stats statistics_api_v1_stats_get Statistics
GET /api/v1/visits list_visits_api_v1_visits_get Listing_PublishedVisit_
GET /api/v1/visits/due view_policy_api_v1_visits_due_get array
GET /healthz healthz_healthz_get -
PATCH /api/v1/activities/{id} update_activity_api_v1_activities__id__patch object
PATCH /api/v1/awards/{id} update_award_api_v1_awards__id__patch object
PATCH /api/v1/benefits/{id} update_benefit_api_v1_benefits__id__patch object
PATCH /api/v1/contacts/{id} update_contact_api_v1_contacts__id__patch object
PATCH /api/v1/meetings/{id} update_meeting_api_v1_meetings__id__patch object
PATCH /api/v1/municipalities/{id} update_municipality_api_v1_municipalities__id__patch object
PATCH /api/v1/networks/{id} update_network_api_v1_networks__id__patch object
PATCH /api/v1/organisations/{id} update_organisation_api_v1_organisations__id__patch object
PATCH /api/v1/partnerships/{id} update_partnership_api_v1_partnerships__id__patch object
PATCH /api/v1/programmes/{id} update_programme_api_v1_programmes__id__patch object
PATCH /api/v1/visits/{id} update_visit_api_v1_visits__id__patch object
POST /api/v1/activities create_activity_api_v1_activities_post object
POST /api/v1/awards create_award_api_v1_awards_post object
POST /api/v1/benefits create_benefit_api_v1_benefits_post object
POST /api/v1/contacts create_contact_api_v1_contacts_post object
POST /api/v1/meetings create_meeting_api_v1_meetings_post object
POST /api/v1/memberships create_membership_api_v1_memberships_post object
POST /api/v1/municipalities create_municipality_api_v1_municipalities_post object
POST /api/v1/networks create_network_api_v1_networks_post object
POST /api/v1/organisations create_organisation_api_v1_organisations_post object
POST /api/v1/partnerships create_partnership_api_v1_partnerships_post object
POST /api/v1/programmes create_programme_api_v1_programmes_post object
POST /api/v1/programmes/{id}/partners add_programme_partner_api_v1_programmes__id__partners_post object
POST /api/v1/visits create_visit_api_v1_visits_post object
"""

# The public read API: each of these is wrapped by PublicCachedRoute (ETag, Cache-Control, the cache).
PUBLIC_API = {
    ("GET", "/api/v1/activities"),
    ("GET", "/api/v1/anniversaries"),
    ("GET", "/api/v1/awards"),
    ("GET", "/api/v1/benefits"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/dormant"),
    ("GET", "/api/v1/indicators"),
    ("GET", "/api/v1/map"),
    ("GET", "/api/v1/matches"),
    ("GET", "/api/v1/municipalities"),
    ("GET", "/api/v1/municipalities/{id}"),
    ("GET", "/api/v1/networks"),
    ("GET", "/api/v1/networks/{id}"),
    ("GET", "/api/v1/partnerships"),
    ("GET", "/api/v1/partnerships/{id}"),
    ("GET", "/api/v1/programmes"),
    ("GET", "/api/v1/programmes/{id}"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/seeking"),
    ("GET", "/api/v1/seeking/{id}"),
    ("GET", "/api/v1/seeking/{id}/matches"),
    ("GET", "/api/v1/stats"),
    ("GET", "/api/v1/visits"),
    # Every public list page's CSV and XLSX download (portal.list_download_pages) is cached the same way.
    ("GET", "/anniversaries/{year}/partnerships.{fmt}"),
    ("GET", "/awards.{fmt}"),
    ("GET", "/benefits.{fmt}"),
    ("GET", "/cases.{fmt}"),
    ("GET", "/countries.{fmt}"),
    ("GET", "/countries/{alpha2}/partnerships.{fmt}"),
    ("GET", "/decades.{fmt}"),
    ("GET", "/decades/{decade}/partnerships.{fmt}"),
    ("GET", "/municipalities/{municipality_id}/partners.{fmt}"),
    ("GET", "/municipalities/{municipality_id}/publications.{fmt}"),
    ("GET", "/networks.{fmt}"),
    ("GET", "/prefectures.{fmt}"),
    ("GET", "/prefectures/{name}/partnerships.{fmt}"),
    ("GET", "/programmes.{fmt}"),
    ("GET", "/search.{fmt}"),
    ("GET", "/seeking.{fmt}"),
    ("GET", "/stats.{fmt}"),
}


def _lines(text: str) -> set[str]:
    return {line for line in text.strip().splitlines() if line}


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """(method, path, route) for every route, included routers flattened with their prefixes."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(("MOUNT", str(context.path), route))
            continue
        for method in sorted(context.methods or ()):
            found.append((method, str(context.path), route))
    return found


def _response_model(operation: dict[str, Any]) -> str:
    """The success response's schema as a short name ("Listing_PartnershipRead_"; "-" when none)."""
    for status, response in sorted(operation.get("responses", {}).items()):
        if not status.startswith("2"):
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if not schema:
            return "-"
        if "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[-1]
        return str(schema.get("type", "any"))
    return "-"


def test_the_app_serves_the_same_routes() -> None:
    found = {f"{method} {path}" for method, path, _route in _routes(create_app())}
    expected = _lines(ROUTES)
    assert sorted(expected - found) == [], "routes lost"
    assert sorted(found - expected) == [], "routes not in the list (add them here if on purpose)"


def test_openapi_documents_the_same_operations() -> None:
    paths = create_app().openapi()["paths"]
    found = {
        f"{method.upper()} {path} {operation['operationId']} {_response_model(operation)}"
        for path, operations in paths.items()
        for method, operation in operations.items()
    }
    expected = _lines(OPERATIONS)
    assert sorted(expected - found) == [], "operations lost or changed"
    assert sorted(found - expected) == [], "operations not in the list (add them here if on purpose)"


def test_every_public_api_route_is_cached_and_runs_off_the_event_loop() -> None:
    public = {
        (method, path): route
        for method, path, route in _routes(create_app())
        if isinstance(route, PublicCachedRoute)
    }
    assert set(public) == PUBLIC_API
    for route in public.values():
        # A coroutine endpoint would run its database calls on the event loop (commit 0cd0ebd).
        assert not inspect.iscoroutinefunction(route.endpoint), route.path


def test_no_public_page_or_api_endpoint_touching_the_database_is_a_coroutine() -> None:
    for _method, path, route in _routes(create_app()):
        if not isinstance(route, APIRoute) or not route.endpoint.__module__.endswith((".api", "pages")):
            continue
        assert not inspect.iscoroutinefunction(route.endpoint), path
