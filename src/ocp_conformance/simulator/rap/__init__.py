"""RAP's file transports in the simulator: SFTP (as the exchange offers it) and a local folder.

Both hand each fully arrived file to one callback, `on_upload(participant, path)`, in arrival order and exactly
once; the file layout and its processing are not their business. `RapProcessor` (processing.py) is the callback
the simulator plugs in: it validates each file, applies its records to the simulation and writes the result file.
"""

from ocp_conformance.simulator.rap.defects import ProcessingDefects
from ocp_conformance.simulator.rap.delivery import OnUpload
from ocp_conformance.simulator.rap.folder_watch import RapFolderWatcher
from ocp_conformance.simulator.rap.folders import INBOX, OUTBOX, ParticipantFolders, participant_folders
from ocp_conformance.simulator.rap.login_throttle import LoginThrottle
from ocp_conformance.simulator.rap.processing import ProcessingResult, RapProcessor, RecordOutcome
from ocp_conformance.simulator.rap.sftp import RapSftpServer, lasting_host_key, serve_in_thread

__all__ = ["INBOX", "OUTBOX", "LoginThrottle", "OnUpload", "ParticipantFolders", "ProcessingDefects",
           "ProcessingResult", "RapFolderWatcher", "RapProcessor", "RapSftpServer", "RecordOutcome", "lasting_host_key",
           "participant_folders", "serve_in_thread"]
