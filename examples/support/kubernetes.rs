//! The Kubernetes API stand-in (feature `kube`): what a cluster's API server answers to the
//! kube-rs clients of the examples and the tour, every answer built here in code.

use httpmock::MockServer;
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A pod of `namespace`, in `phase`, running one container of `image`.
pub fn pod(namespace: &str, name: &str, image: &str, phase: &str) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(namespace.into()),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.split('-').next().unwrap_or(name).into(),
                image: Some(image.into()),
                ..Container::default()
            }],
            // A pending pod may have no node yet.
            node_name: (phase == "Running")
                .then(|| "ip-10-50-1-12.eu-west-2.compute.internal".into()),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase: Some(phase.into()),
            ..PodStatus::default()
        }),
    }
}

/// Answers the pod list of `namespace` to requests that carry `token`: a cluster's usual
/// system pods.
pub fn serve_pods(server: &MockServer, namespace: &str, token: &str) {
    let pods = [
        pod(
            namespace,
            "coredns-7db6d8ff4d-5xk2p",
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "Running",
        ),
        pod(
            namespace,
            "coredns-7db6d8ff4d-q9wtz",
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "Running",
        ),
        pod(
            namespace,
            "cilium-8kq2d",
            "quay.io/cilium/cilium:v1.16.5",
            "Running",
        ),
        pod(
            namespace,
            "metrics-server-6d94bc8694-lm7fz",
            "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
            "Pending",
        ),
    ];
    let list = serde_json::json!({
        "apiVersion": "v1",
        "kind": "PodList",
        "metadata": {"resourceVersion": "48213"},
        "items": pods,
    });
    server.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path(format!("/api/v1/namespaces/{namespace}/pods"))
            .header("authorization", format!("Bearer {token}"));
        then.status(200)
            .header("content-type", "application/json")
            .json_body(list);
    });
}

/// Answers `/version`, Kubernetes 1.33.1, to requests that carry `token`.
pub fn serve_version(server: &MockServer, token: &str) {
    server.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path("/version")
            .header("authorization", format!("Bearer {token}"));
        then.status(200).json_body(serde_json::json!({
            "major": "1", "minor": "33", "gitVersion": "v1.33.1", "gitCommit": "",
            "gitTreeState": "", "buildDate": "", "goVersion": "", "compiler": "",
            "platform": "linux/amd64"
        }));
    });
}
