from tests.conftest import login


def test_login_and_trainings_list(client, world):
    login(client, world.coordinator)
    r = client.get("/trainingen")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "Basistraining mentoren Noord" in body
    assert "Basistraining mentoren Zuid" not in body
