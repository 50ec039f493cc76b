import type { AccessService } from '../access/access.service.js';
import type { Alarm } from '../alarms/alarm.types.js';
import type { CaseService } from '../cases/case.service.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { SensorService } from '../devices/sensor.service.js';
import type { CameraRepository } from '../devices/camera.repository.js';
import type { IntakeRepository } from './intake.repository.js';
import { AlarmCasePolicy } from './alarm-case-policy.js';
import { CameraService } from '../devices/camera.service.js';
import { caseServicePort } from './case-port.adapter.js';
import { DetectionIngest } from './detection-ingest.js';
import { HotlineImport } from './hotline-import.js';
import type { IntakeConfig } from './intake.config.js';
import { Open311Service } from './open311.service.js';

/** The intake adapters: every source that is not the case API itself. */
export interface Intake {
  detections: DetectionIngest;
  open311: Open311Service;
  hotline: HotlineImport;
  alarmCases: AlarmCasePolicy;
}

/** Builds the camera registry and the intake adapters over the cases service (app.ts, the CLI). */
export function createIntake(deps: {
  // Named here rather than picked from storage's Repositories: storage.ts imports every domain.
  repositories: { cameras: CameraRepository; intake: IntakeRepository };
  cases: CaseService;
  jurisdictions: JurisdictionService;
  sensors: SensorService;
  access: AccessService;
  config: IntakeConfig;
  clock?: (() => number) | undefined;
}): { cameras: CameraService; intake: Intake } {
  const tree = () => deps.jurisdictions.units;
  const port = caseServicePort(deps.cases, tree);
  const clock = deps.clock;
  const cameras = new CameraService(
    deps.repositories.cameras,
    deps.jurisdictions,
    clock ? () => new Date(clock()) : undefined,
  );
  const repository = deps.repositories.intake;
  const withClock = clock ? { clock } : {};
  return {
    cameras,
    intake: {
      detections: new DetectionIngest({
        repository,
        cameras,
        cases: port,
        rules: deps.config.detectionRules,
        ...withClock,
      }),
      open311: new Open311Service({ repository, cases: port, access: deps.access, tree, ...withClock }),
      hotline: new HotlineImport({ repository, cases: port, ...withClock }),
      alarmCases: new AlarmCasePolicy({
        repository,
        cases: port,
        locate: (alarm) => locateAlarm(alarm, deps.sensors, deps.jurisdictions),
        options: deps.config.alarmCases,
        ...withClock,
      }),
    },
  };
}

/** Where an alarm is: its sensor, or for an area alarm (`area:<code>`) a sensor of its domain inside the area. */
function locateAlarm(
  alarm: Alarm,
  sensors: SensorService,
  jurisdictions: JurisdictionService,
): { lon: number; lat: number } | undefined {
  if (alarm.sensorId) return sensors.resolve(alarm.sensorId);
  const area = alarm.subject.startsWith('area:') ? alarm.subject.slice(5) : null;
  if (!area) return undefined;
  const tree = jurisdictions.units;
  for (const sensor of sensors.registered()) {
    if (sensor.type.domain === alarm.domain && tree.isWithin(finestCode(sensor), area)) return sensor;
  }
  return undefined;
}
