import { Command } from 'commander';
import { CameraService } from '../devices/camera.service.js';
import { addDeviceImportCommand } from './device-import.command.js';

/** `cityops cameras import`: the AI camera registry (视频智能识别点位) in bulk, like `sensors import`. */
export function camerasCommand(): Command {
  const cameras = new Command('cameras').description('camera registry 视频点位台账');
  addDeviceImportCommand(cameras, {
    noun: 'cameras',
    argument: 'CSV with header id,lon,lat[,name][,department][,metadata][,meta.<key>…], or JSON',
    description:
      'register cameras in bulk 批量导入视频点位\n' +
      'Each row is checked alone; valid rows are registered in one transaction, existing ids are never\n' +
      'overwritten. Exit code 2 means some rows were rejected.',
    run: (jurisdictions, storage, text, format, options) =>
      new CameraService(storage.repositories.cameras, jurisdictions).import(text, format, options),
  });
  return cameras;
}
