import type { PortClaim } from "./registry";

/**
 * Software that commonly listens in and near the preset ranges (dev 9000-9300, prod
 * 10000-10300). Derived ports step around these; a pin on one is honoured with a warning,
 * since the user said so. The registry's own claims add to (never replace) this list.
 */
export const WELL_KNOWN_OWNERS: readonly PortClaim[] = [
  claim("php-fpm, SonarQube, ClickHouse, MinIO", 9000),
  claim("MinIO console", 9001),
  claim("Fluvio's default SC public port", 9003),
  claim("Fluvio's default SC private port", 9004),
  claim("Fluvio's default SPU public port", 9005),
  claim("Fluvio's default SPU private port", 9006),
  claim("ClickHouse interserver", 9009),
  claim("Fluvio's local installer (first SPU public)", 9010),
  claim("Fluvio's local installer (first SPU private)", 9011),
  claim("Cassandra", 9042),
  claim("Tor", 9050, 9051),
  claim("Hive metastore", 9083),
  claim("Prometheus", 9090),
  claim("Prometheus Pushgateway", 9091),
  claim("Kafka", 9092),
  claim("Alertmanager", 9093, 9094),
  claim("node_exporter", 9100),
  claim("HAProxy exporter", 9101),
  claim("statsd exporter", 9102),
  claim("mysqld exporter", 9104),
  claim("nginx exporter", 9113),
  claim("Elasticsearch exporter", 9114),
  claim("blackbox exporter", 9115),
  claim("SNMP exporter", 9116),
  claim("Redis exporter", 9121),
  claim("Cassandra Thrift", 9160),
  claim("Postgres exporter", 9187),
  claim("Elasticsearch/OpenSearch HTTP", 9200),
  claim("Node.js inspector", 9229),
  claim("Elasticsearch transport", 9300),
  claim("Webmin, HiveServer2", 10000),
  claim("Zabbix", 10050, 10051),
  claim("port 10080 (blocked by browsers as unsafe)", 10080),
  claim("kubelet, kube-proxy, controller-manager, scheduler", 10248, 10259),
];

function claim(owner: string, from: number, to = from): PortClaim {
  return { owner, ports: { from, to }, hosts: ["*"], source: "well-known" };
}
