-- Lookup rows of Quay's schema at revision 9fa37f66a9b6; code resolves them by name, never by id.

--
--

--
-- Data for Name: accesstokenkind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.accesstokenkind (id, name) VALUES (1, 'build-worker');
INSERT INTO public.accesstokenkind (id, name) VALUES (2, 'pushpull-token');

--
-- Data for Name: alembic_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.alembic_version (version_num) VALUES ('9fa37f66a9b6');

--
-- Data for Name: apprblobplacementlocation; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.apprblobplacementlocation (id, name) VALUES (1, 'local_eu');
INSERT INTO public.apprblobplacementlocation (id, name) VALUES (2, 'local_us');

--
-- Data for Name: apprtagkind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.apprtagkind (id, name) VALUES (1, 'tag');
INSERT INTO public.apprtagkind (id, name) VALUES (2, 'release');
INSERT INTO public.apprtagkind (id, name) VALUES (3, 'channel');

--
-- Data for Name: buildtriggerservice; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.buildtriggerservice (id, name) VALUES (1, 'github');
INSERT INTO public.buildtriggerservice (id, name) VALUES (2, 'gitlab');
INSERT INTO public.buildtriggerservice (id, name) VALUES (3, 'bitbucket');
INSERT INTO public.buildtriggerservice (id, name) VALUES (4, 'custom-git');

--
-- Data for Name: disablereason; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.disablereason (id, name) VALUES (1, 'user_toggled');
INSERT INTO public.disablereason (id, name) VALUES (2, 'successive_build_failures');
INSERT INTO public.disablereason (id, name) VALUES (3, 'successive_build_internal_errors');

--
-- Data for Name: externalnotificationevent; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.externalnotificationevent (id, name) VALUES (1, 'build_failure');
INSERT INTO public.externalnotificationevent (id, name) VALUES (2, 'build_queued');
INSERT INTO public.externalnotificationevent (id, name) VALUES (3, 'build_start');
INSERT INTO public.externalnotificationevent (id, name) VALUES (4, 'build_success');
INSERT INTO public.externalnotificationevent (id, name) VALUES (5, 'repo_push');
INSERT INTO public.externalnotificationevent (id, name) VALUES (6, 'vulnerability_found');
INSERT INTO public.externalnotificationevent (id, name) VALUES (7, 'build_cancelled');
INSERT INTO public.externalnotificationevent (id, name) VALUES (8, 'repo_mirror_sync_started');
INSERT INTO public.externalnotificationevent (id, name) VALUES (9, 'repo_mirror_sync_success');
INSERT INTO public.externalnotificationevent (id, name) VALUES (10, 'repo_mirror_sync_failed');
INSERT INTO public.externalnotificationevent (id, name) VALUES (11, 'repo_image_expiry');
INSERT INTO public.externalnotificationevent (id, name) VALUES (12, 'quota_warning');
INSERT INTO public.externalnotificationevent (id, name) VALUES (13, 'quota_error');

--
-- Data for Name: externalnotificationmethod; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.externalnotificationmethod (id, name) VALUES (1, 'email');
INSERT INTO public.externalnotificationmethod (id, name) VALUES (2, 'flowdock');
INSERT INTO public.externalnotificationmethod (id, name) VALUES (3, 'hipchat');
INSERT INTO public.externalnotificationmethod (id, name) VALUES (4, 'quay_notification');
INSERT INTO public.externalnotificationmethod (id, name) VALUES (5, 'slack');
INSERT INTO public.externalnotificationmethod (id, name) VALUES (6, 'webhook');

--
-- Data for Name: imagestoragelocation; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.imagestoragelocation (id, name) VALUES (1, 's3_us_east_1');
INSERT INTO public.imagestoragelocation (id, name) VALUES (2, 's3_eu_west_1');
INSERT INTO public.imagestoragelocation (id, name) VALUES (3, 's3_ap_southeast_1');
INSERT INTO public.imagestoragelocation (id, name) VALUES (4, 's3_ap_southeast_2');
INSERT INTO public.imagestoragelocation (id, name) VALUES (5, 's3_ap_northeast_1');
INSERT INTO public.imagestoragelocation (id, name) VALUES (6, 's3_sa_east_1');
INSERT INTO public.imagestoragelocation (id, name) VALUES (7, 'local');
INSERT INTO public.imagestoragelocation (id, name) VALUES (8, 's3_us_west_1');

--
-- Data for Name: imagestoragesignaturekind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.imagestoragesignaturekind (id, name) VALUES (1, 'gpg2');

--
-- Data for Name: imagestoragetransformation; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.imagestoragetransformation (id, name) VALUES (1, 'squash');
INSERT INTO public.imagestoragetransformation (id, name) VALUES (2, 'aci');

--
-- Data for Name: labelsourcetype; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.labelsourcetype (id, name, mutable) VALUES (1, 'manifest', false);
INSERT INTO public.labelsourcetype (id, name, mutable) VALUES (2, 'api', true);
INSERT INTO public.labelsourcetype (id, name, mutable) VALUES (3, 'internal', false);

--
-- Data for Name: logentrykind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.logentrykind (id, name) VALUES (1, 'account_change_cc');
INSERT INTO public.logentrykind (id, name) VALUES (2, 'account_change_password');
INSERT INTO public.logentrykind (id, name) VALUES (3, 'account_change_plan');
INSERT INTO public.logentrykind (id, name) VALUES (4, 'account_convert');
INSERT INTO public.logentrykind (id, name) VALUES (5, 'add_repo_accesstoken');
INSERT INTO public.logentrykind (id, name) VALUES (6, 'add_repo_notification');
INSERT INTO public.logentrykind (id, name) VALUES (7, 'add_repo_permission');
INSERT INTO public.logentrykind (id, name) VALUES (8, 'add_repo_webhook');
INSERT INTO public.logentrykind (id, name) VALUES (9, 'build_dockerfile');
INSERT INTO public.logentrykind (id, name) VALUES (10, 'change_repo_permission');
INSERT INTO public.logentrykind (id, name) VALUES (11, 'change_repo_visibility');
INSERT INTO public.logentrykind (id, name) VALUES (12, 'create_application');
INSERT INTO public.logentrykind (id, name) VALUES (13, 'create_prototype_permission');
INSERT INTO public.logentrykind (id, name) VALUES (14, 'create_repo');
INSERT INTO public.logentrykind (id, name) VALUES (15, 'create_robot');
INSERT INTO public.logentrykind (id, name) VALUES (16, 'create_tag');
INSERT INTO public.logentrykind (id, name) VALUES (17, 'delete_application');
INSERT INTO public.logentrykind (id, name) VALUES (18, 'delete_prototype_permission');
INSERT INTO public.logentrykind (id, name) VALUES (19, 'delete_repo');
INSERT INTO public.logentrykind (id, name) VALUES (20, 'delete_repo_accesstoken');
INSERT INTO public.logentrykind (id, name) VALUES (21, 'delete_repo_notification');
INSERT INTO public.logentrykind (id, name) VALUES (22, 'delete_repo_permission');
INSERT INTO public.logentrykind (id, name) VALUES (23, 'delete_repo_trigger');
INSERT INTO public.logentrykind (id, name) VALUES (24, 'delete_repo_webhook');
INSERT INTO public.logentrykind (id, name) VALUES (25, 'delete_robot');
INSERT INTO public.logentrykind (id, name) VALUES (26, 'delete_tag');
INSERT INTO public.logentrykind (id, name) VALUES (27, 'manifest_label_add');
INSERT INTO public.logentrykind (id, name) VALUES (28, 'manifest_label_delete');
INSERT INTO public.logentrykind (id, name) VALUES (29, 'modify_prototype_permission');
INSERT INTO public.logentrykind (id, name) VALUES (30, 'move_tag');
INSERT INTO public.logentrykind (id, name) VALUES (31, 'org_add_team_member');
INSERT INTO public.logentrykind (id, name) VALUES (32, 'org_create_team');
INSERT INTO public.logentrykind (id, name) VALUES (33, 'org_delete_team');
INSERT INTO public.logentrykind (id, name) VALUES (34, 'org_delete_team_member_invite');
INSERT INTO public.logentrykind (id, name) VALUES (35, 'org_invite_team_member');
INSERT INTO public.logentrykind (id, name) VALUES (36, 'org_remove_team_member');
INSERT INTO public.logentrykind (id, name) VALUES (37, 'org_set_team_description');
INSERT INTO public.logentrykind (id, name) VALUES (38, 'org_set_team_role');
INSERT INTO public.logentrykind (id, name) VALUES (39, 'org_team_member_invite_accepted');
INSERT INTO public.logentrykind (id, name) VALUES (40, 'org_team_member_invite_declined');
INSERT INTO public.logentrykind (id, name) VALUES (41, 'pull_repo');
INSERT INTO public.logentrykind (id, name) VALUES (42, 'push_repo');
INSERT INTO public.logentrykind (id, name) VALUES (43, 'regenerate_robot_token');
INSERT INTO public.logentrykind (id, name) VALUES (44, 'repo_verb');
INSERT INTO public.logentrykind (id, name) VALUES (45, 'reset_application_client_secret');
INSERT INTO public.logentrykind (id, name) VALUES (46, 'revert_tag');
INSERT INTO public.logentrykind (id, name) VALUES (47, 'service_key_approve');
INSERT INTO public.logentrykind (id, name) VALUES (48, 'service_key_create');
INSERT INTO public.logentrykind (id, name) VALUES (49, 'service_key_delete');
INSERT INTO public.logentrykind (id, name) VALUES (50, 'service_key_extend');
INSERT INTO public.logentrykind (id, name) VALUES (51, 'service_key_modify');
INSERT INTO public.logentrykind (id, name) VALUES (52, 'service_key_rotate');
INSERT INTO public.logentrykind (id, name) VALUES (53, 'setup_repo_trigger');
INSERT INTO public.logentrykind (id, name) VALUES (54, 'set_repo_description');
INSERT INTO public.logentrykind (id, name) VALUES (55, 'take_ownership');
INSERT INTO public.logentrykind (id, name) VALUES (56, 'update_application');
INSERT INTO public.logentrykind (id, name) VALUES (57, 'change_repo_trust');
INSERT INTO public.logentrykind (id, name) VALUES (58, 'reset_repo_notification');
INSERT INTO public.logentrykind (id, name) VALUES (59, 'change_tag_expiration');
INSERT INTO public.logentrykind (id, name) VALUES (60, 'create_app_specific_token');
INSERT INTO public.logentrykind (id, name) VALUES (61, 'revoke_app_specific_token');
INSERT INTO public.logentrykind (id, name) VALUES (62, 'toggle_repo_trigger');
INSERT INTO public.logentrykind (id, name) VALUES (63, 'repo_mirror_enabled');
INSERT INTO public.logentrykind (id, name) VALUES (64, 'repo_mirror_disabled');
INSERT INTO public.logentrykind (id, name) VALUES (65, 'repo_mirror_config_changed');
INSERT INTO public.logentrykind (id, name) VALUES (66, 'repo_mirror_sync_started');
INSERT INTO public.logentrykind (id, name) VALUES (67, 'repo_mirror_sync_failed');
INSERT INTO public.logentrykind (id, name) VALUES (68, 'repo_mirror_sync_success');
INSERT INTO public.logentrykind (id, name) VALUES (69, 'repo_mirror_sync_now_requested');
INSERT INTO public.logentrykind (id, name) VALUES (70, 'repo_mirror_sync_tag_success');
INSERT INTO public.logentrykind (id, name) VALUES (71, 'repo_mirror_sync_tag_failed');
INSERT INTO public.logentrykind (id, name) VALUES (72, 'repo_mirror_sync_test_success');
INSERT INTO public.logentrykind (id, name) VALUES (73, 'repo_mirror_sync_test_failed');
INSERT INTO public.logentrykind (id, name) VALUES (74, 'repo_mirror_sync_test_started');
INSERT INTO public.logentrykind (id, name) VALUES (75, 'change_repo_state');
INSERT INTO public.logentrykind (id, name) VALUES (76, 'create_proxy_cache_config');
INSERT INTO public.logentrykind (id, name) VALUES (77, 'delete_proxy_cache_config');
INSERT INTO public.logentrykind (id, name) VALUES (78, 'start_build_trigger');
INSERT INTO public.logentrykind (id, name) VALUES (79, 'cancel_build');
INSERT INTO public.logentrykind (id, name) VALUES (80, 'org_create');
INSERT INTO public.logentrykind (id, name) VALUES (81, 'org_delete');
INSERT INTO public.logentrykind (id, name) VALUES (82, 'org_change_email');
INSERT INTO public.logentrykind (id, name) VALUES (83, 'org_change_invoicing');
INSERT INTO public.logentrykind (id, name) VALUES (84, 'org_change_tag_expiration');
INSERT INTO public.logentrykind (id, name) VALUES (85, 'org_change_name');
INSERT INTO public.logentrykind (id, name) VALUES (86, 'user_create');
INSERT INTO public.logentrykind (id, name) VALUES (87, 'user_delete');
INSERT INTO public.logentrykind (id, name) VALUES (88, 'user_disable');
INSERT INTO public.logentrykind (id, name) VALUES (89, 'user_enable');
INSERT INTO public.logentrykind (id, name) VALUES (90, 'user_change_email');
INSERT INTO public.logentrykind (id, name) VALUES (91, 'user_change_password');
INSERT INTO public.logentrykind (id, name) VALUES (92, 'user_change_name');
INSERT INTO public.logentrykind (id, name) VALUES (93, 'user_change_invoicing');
INSERT INTO public.logentrykind (id, name) VALUES (94, 'user_change_tag_expiration');
INSERT INTO public.logentrykind (id, name) VALUES (95, 'user_change_metadata');
INSERT INTO public.logentrykind (id, name) VALUES (96, 'user_generate_client_key');
INSERT INTO public.logentrykind (id, name) VALUES (97, 'login_success');
INSERT INTO public.logentrykind (id, name) VALUES (98, 'logout_success');
INSERT INTO public.logentrykind (id, name) VALUES (99, 'permanently_delete_tag');
INSERT INTO public.logentrykind (id, name) VALUES (100, 'autoprune_tag_delete');
INSERT INTO public.logentrykind (id, name) VALUES (101, 'create_namespace_autoprune_policy');
INSERT INTO public.logentrykind (id, name) VALUES (102, 'update_namespace_autoprune_policy');
INSERT INTO public.logentrykind (id, name) VALUES (103, 'delete_namespace_autoprune_policy');
INSERT INTO public.logentrykind (id, name) VALUES (104, 'login_failure');
INSERT INTO public.logentrykind (id, name) VALUES (105, 'push_repo_failed');
INSERT INTO public.logentrykind (id, name) VALUES (106, 'pull_repo_failed');
INSERT INTO public.logentrykind (id, name) VALUES (107, 'delete_tag_failed');
INSERT INTO public.logentrykind (id, name) VALUES (108, 'create_repository_autoprune_policy');
INSERT INTO public.logentrykind (id, name) VALUES (109, 'update_repository_autoprune_policy');
INSERT INTO public.logentrykind (id, name) VALUES (110, 'delete_repository_autoprune_policy');
INSERT INTO public.logentrykind (id, name) VALUES (111, 'enable_team_sync');
INSERT INTO public.logentrykind (id, name) VALUES (112, 'disable_team_sync');
INSERT INTO public.logentrykind (id, name) VALUES (113, 'oauth_token_assigned');
INSERT INTO public.logentrykind (id, name) VALUES (114, 'oauth_token_revoked');
INSERT INTO public.logentrykind (id, name) VALUES (115, 'change_tag_immutability');
INSERT INTO public.logentrykind (id, name) VALUES (116, 'create_robot_federation');
INSERT INTO public.logentrykind (id, name) VALUES (117, 'delete_robot_federation');
INSERT INTO public.logentrykind (id, name) VALUES (118, 'federated_robot_token_exchange');
INSERT INTO public.logentrykind (id, name) VALUES (119, 'export_logs_success');
INSERT INTO public.logentrykind (id, name) VALUES (120, 'export_logs_failure');
INSERT INTO public.logentrykind (id, name) VALUES (121, 'org_create_quota');
INSERT INTO public.logentrykind (id, name) VALUES (122, 'org_change_quota');
INSERT INTO public.logentrykind (id, name) VALUES (123, 'org_delete_quota');
INSERT INTO public.logentrykind (id, name) VALUES (124, 'org_create_quota_limit');
INSERT INTO public.logentrykind (id, name) VALUES (125, 'org_change_quota_limit');
INSERT INTO public.logentrykind (id, name) VALUES (126, 'org_delete_quota_limit');
INSERT INTO public.logentrykind (id, name) VALUES (127, 'org_mirror_enabled');
INSERT INTO public.logentrykind (id, name) VALUES (128, 'org_mirror_disabled');
INSERT INTO public.logentrykind (id, name) VALUES (129, 'org_mirror_config_changed');
INSERT INTO public.logentrykind (id, name) VALUES (130, 'org_mirror_sync_started');
INSERT INTO public.logentrykind (id, name) VALUES (131, 'org_mirror_sync_failed');
INSERT INTO public.logentrykind (id, name) VALUES (132, 'org_mirror_sync_success');
INSERT INTO public.logentrykind (id, name) VALUES (133, 'org_mirror_sync_now_requested');
INSERT INTO public.logentrykind (id, name) VALUES (134, 'org_mirror_sync_cancelled');
INSERT INTO public.logentrykind (id, name) VALUES (135, 'org_mirror_repo_created');
INSERT INTO public.logentrykind (id, name) VALUES (136, 'create_immutability_policy');
INSERT INTO public.logentrykind (id, name) VALUES (137, 'update_immutability_policy');
INSERT INTO public.logentrykind (id, name) VALUES (138, 'delete_immutability_policy');
INSERT INTO public.logentrykind (id, name) VALUES (139, 'org_mirror_repo_creation_failed');
INSERT INTO public.logentrykind (id, name) VALUES (140, 'tag_made_immutable_by_policy');
INSERT INTO public.logentrykind (id, name) VALUES (141, 'tags_made_immutable_by_policy');
INSERT INTO public.logentrykind (id, name) VALUES (142, 'create_oauth_api_token');
INSERT INTO public.logentrykind (id, name) VALUES (143, 'revoke_oauth_api_token');
INSERT INTO public.logentrykind (id, name) VALUES (144, 'create_namespace_notification');
INSERT INTO public.logentrykind (id, name) VALUES (145, 'delete_namespace_notification');
INSERT INTO public.logentrykind (id, name) VALUES (146, 'reset_namespace_notification');

--
-- Data for Name: loginservice; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.loginservice (id, name) VALUES (1, 'github');
INSERT INTO public.loginservice (id, name) VALUES (2, 'quayrobot');
INSERT INTO public.loginservice (id, name) VALUES (3, 'ldap');
INSERT INTO public.loginservice (id, name) VALUES (4, 'google');
INSERT INTO public.loginservice (id, name) VALUES (5, 'keystone');
INSERT INTO public.loginservice (id, name) VALUES (6, 'dex');
INSERT INTO public.loginservice (id, name) VALUES (7, 'jwtauthn');
INSERT INTO public.loginservice (id, name) VALUES (8, 'oidc');

--
-- Data for Name: mediatype; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.mediatype (id, name) VALUES (1, 'text/plain');
INSERT INTO public.mediatype (id, name) VALUES (2, 'application/json');
INSERT INTO public.mediatype (id, name) VALUES (3, 'text/markdown');
INSERT INTO public.mediatype (id, name) VALUES (4, 'application/vnd.cnr.blob.v0.tar+gzip');
INSERT INTO public.mediatype (id, name) VALUES (5, 'application/vnd.cnr.package-manifest.helm.v0.json');
INSERT INTO public.mediatype (id, name) VALUES (6, 'application/vnd.cnr.package-manifest.kpm.v0.json');
INSERT INTO public.mediatype (id, name) VALUES (7, 'application/vnd.cnr.package-manifest.docker-compose.v0.json');
INSERT INTO public.mediatype (id, name) VALUES (8, 'application/vnd.cnr.package.kpm.v0.tar+gzip');
INSERT INTO public.mediatype (id, name) VALUES (9, 'application/vnd.cnr.package.helm.v0.tar+gzip');
INSERT INTO public.mediatype (id, name) VALUES (10, 'application/vnd.cnr.package.docker-compose.v0.tar+gzip');
INSERT INTO public.mediatype (id, name) VALUES (11, 'application/vnd.cnr.manifests.v0.json');
INSERT INTO public.mediatype (id, name) VALUES (12, 'application/vnd.cnr.manifest.list.v0.json');
INSERT INTO public.mediatype (id, name) VALUES (13, 'application/vnd.docker.distribution.manifest.v1+prettyjws');
INSERT INTO public.mediatype (id, name) VALUES (14, 'application/vnd.docker.distribution.manifest.v1+json');
INSERT INTO public.mediatype (id, name) VALUES (15, 'application/vnd.docker.distribution.manifest.list.v2+json');
INSERT INTO public.mediatype (id, name) VALUES (16, 'application/vnd.docker.distribution.manifest.v2+json');
INSERT INTO public.mediatype (id, name) VALUES (17, 'application/vnd.oci.image.index.v1+json');
INSERT INTO public.mediatype (id, name) VALUES (18, 'application/vnd.oci.image.manifest.v1+json');

--
-- Data for Name: notificationkind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.notificationkind (id, name) VALUES (1, 'build_failure');
INSERT INTO public.notificationkind (id, name) VALUES (2, 'build_queued');
INSERT INTO public.notificationkind (id, name) VALUES (3, 'build_start');
INSERT INTO public.notificationkind (id, name) VALUES (4, 'build_success');
INSERT INTO public.notificationkind (id, name) VALUES (5, 'expiring_license');
INSERT INTO public.notificationkind (id, name) VALUES (6, 'maintenance');
INSERT INTO public.notificationkind (id, name) VALUES (7, 'org_team_invite');
INSERT INTO public.notificationkind (id, name) VALUES (8, 'over_private_usage');
INSERT INTO public.notificationkind (id, name) VALUES (9, 'password_required');
INSERT INTO public.notificationkind (id, name) VALUES (10, 'repo_push');
INSERT INTO public.notificationkind (id, name) VALUES (11, 'service_key_submitted');
INSERT INTO public.notificationkind (id, name) VALUES (12, 'vulnerability_found');
INSERT INTO public.notificationkind (id, name) VALUES (13, 'build_cancelled');
INSERT INTO public.notificationkind (id, name) VALUES (14, 'repo_mirror_sync_started');
INSERT INTO public.notificationkind (id, name) VALUES (15, 'repo_mirror_sync_success');
INSERT INTO public.notificationkind (id, name) VALUES (16, 'repo_mirror_sync_failed');
INSERT INTO public.notificationkind (id, name) VALUES (17, 'quota_warning');
INSERT INTO public.notificationkind (id, name) VALUES (18, 'quota_error');
INSERT INTO public.notificationkind (id, name) VALUES (19, 'assigned_authorization');

--
-- Data for Name: quotatype; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.quotatype (id, name) VALUES (1, 'Warning');
INSERT INTO public.quotatype (id, name) VALUES (2, 'Reject');

--
-- Data for Name: repositorykind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.repositorykind (id, name) VALUES (1, 'image');
INSERT INTO public.repositorykind (id, name) VALUES (2, 'application');

--
-- Data for Name: role; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.role (id, name) VALUES (1, 'admin');
INSERT INTO public.role (id, name) VALUES (2, 'write');
INSERT INTO public.role (id, name) VALUES (3, 'read');

--
-- Data for Name: tagkind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tagkind (id, name) VALUES (1, 'tag');

--
-- Data for Name: teamrole; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.teamrole (id, name) VALUES (1, 'admin');
INSERT INTO public.teamrole (id, name) VALUES (2, 'creator');
INSERT INTO public.teamrole (id, name) VALUES (3, 'member');

--
-- Data for Name: userpromptkind; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.userpromptkind (id, name) VALUES (1, 'confirm_username');
INSERT INTO public.userpromptkind (id, name) VALUES (2, 'enter_name');
INSERT INTO public.userpromptkind (id, name) VALUES (3, 'enter_company');

--
-- Data for Name: visibility; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.visibility (id, name) VALUES (1, 'public');
INSERT INTO public.visibility (id, name) VALUES (2, 'private');

--
-- Name: accesstokenkind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.accesstokenkind_id_seq', 2, true);

--
-- Name: apprblobplacementlocation_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.apprblobplacementlocation_id_seq', 3, false);

--
-- Name: apprtagkind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.apprtagkind_id_seq', 4, false);

--
-- Name: buildtriggerservice_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.buildtriggerservice_id_seq', 4, true);

--
-- Name: disablereason_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.disablereason_id_seq', 1, false);

--
-- Name: externalnotificationevent_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.externalnotificationevent_id_seq', 13, true);

--
-- Name: externalnotificationmethod_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.externalnotificationmethod_id_seq', 6, true);

--
-- Name: imagestoragelocation_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.imagestoragelocation_id_seq', 8, true);

--
-- Name: imagestoragesignaturekind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.imagestoragesignaturekind_id_seq', 1, true);

--
-- Name: imagestoragetransformation_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.imagestoragetransformation_id_seq', 2, true);

--
-- Name: labelsourcetype_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.labelsourcetype_id_seq', 3, true);

--
-- Name: logentrykind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.logentrykind_id_seq', 146, true);

--
-- Name: loginservice_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.loginservice_id_seq', 8, true);

--
-- Name: mediatype_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.mediatype_id_seq', 18, true);

--
-- Name: notificationkind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notificationkind_id_seq', 19, true);

--
-- Name: quotatype_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.quotatype_id_seq', 2, true);

--
-- Name: repositorykind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.repositorykind_id_seq', 1, false);

--
-- Name: role_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.role_id_seq', 3, true);

--
-- Name: tagkind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.tagkind_id_seq', 1, true);

--
-- Name: teamrole_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.teamrole_id_seq', 3, true);

--
-- Name: userpromptkind_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.userpromptkind_id_seq', 3, true);

--
-- Name: visibility_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.visibility_id_seq', 2, true);

--
--
